#!/usr/bin/env bash
# Formats the C++ sources with the repository's .clang-format, or with --check says which files
# differ from it (and exits 1). CI runs the check; run without arguments before committing.
set -euo pipefail
cd "$(dirname "$0")/.."
tool="${CLANG_FORMAT:-clang-format}"
mapfile -t files < <(git ls-files '*.cpp' '*.h' '*.c')
if [ "${1:-}" = "--check" ]; then
    # One run over every file; each difference is a "FILE:LINE:COLUMN: warning: ..." line.
    mapfile -t differ < <("$tool" --dry-run "${files[@]}" 2>&1 | sed -n 's/^\([^:]*\):[0-9]*:[0-9]*: warning:.*/\1/p' | sort -u)
    if [ ${#differ[@]} -gt 0 ]; then
        echo "format: ${#differ[@]} file(s) differ from .clang-format (run scripts/format.sh):" >&2
        printf '  %s\n' "${differ[@]}" >&2
        exit 1
    fi
    echo "format: ${#files[@]} files match .clang-format"
else
    "$tool" -i "${files[@]}"
fi
