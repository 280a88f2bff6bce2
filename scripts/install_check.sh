#!/usr/bin/env bash
# Installs smorg from a build folder into a scratch prefix and builds and runs examples/ against the
# installed CMake package, as another project would (find_package(smorg) + smorg::smorg).
set -euo pipefail
build="${1:-build/release}"
root="$(cd "$(dirname "$0")/.." && pwd)"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
cmake --install "$build" --prefix "$scratch/prefix" >/dev/null
for doc in README.md docs/queries.md docs/reference.md; do
    test -f "$scratch/prefix/share/doc/smorg/$doc" || { echo "install check: $doc was not installed" >&2; exit 1; }
done
cmake -S "$root/examples" -B "$scratch/build" -G Ninja -DCMAKE_PREFIX_PATH="$scratch/prefix" \
      -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$scratch/build" >/dev/null
"$scratch/build/top_referrers" >/dev/null
echo "install check: the documents installed; examples/ built against the installed package and ran"
