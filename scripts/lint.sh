#!/usr/bin/env bash
# clang-tidy (the repository's .clang-tidy) on the C++ files changed against LINT_BASE (default
# HEAD: the uncommitted change, plus files git does not track yet); LINT_ALL=1 for every file.
# Needs a configured build for its compile commands: build/release by default (BUILD=...).
set -euo pipefail
cd "$(dirname "$0")/.."
build="${BUILD:-build/release}"
tool="${CLANG_TIDY:-clang-tidy}"
if [ ! -f "$build/compile_commands.json" ]; then
    echo "lint: $build/compile_commands.json is missing; configure first (cmake --preset release)" >&2
    exit 2
fi
if [ "${LINT_ALL:-0}" = 1 ]; then
    mapfile -t files < <(git ls-files '*.cpp')
else
    mapfile -t files < <({ git diff --name-only --diff-filter=ACMR "${LINT_BASE:-HEAD}" -- '*.cpp'
                           git ls-files --others --exclude-standard -- '*.cpp'; } | sort -u)
fi
if [ ${#files[@]} -eq 0 ]; then
    echo "lint: no changed C++ files"
    exit 0
fi
echo "lint: clang-tidy on ${#files[@]} file(s)"
# The build's GCC-only warning flags mean nothing to clang.
"$tool" -p "$build" --quiet --extra-arg=-Wno-unknown-warning-option "${files[@]}"
