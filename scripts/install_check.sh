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
"$scratch/build/top_pagerank" >/dev/null
test -L "$scratch/prefix/lib/libsmorg.so" || { echo "install check: libsmorg.so was not installed" >&2; exit 1; }
# The Python package, from where it was installed, finds libsmorg.so beside it (no LD_LIBRARY_PATH).
site="$(find "$scratch/prefix/lib" -maxdepth 3 -type d -name dist-packages | head -1)"
if [ -n "$site" ]; then
    PYTHONPATH="$site" /usr/bin/python3 -c 'import smorg; db = smorg.open(":memory:"); assert db.stats()["nodes"] == 0' \
        || { echo "install check: the installed Python package does not import" >&2; exit 1; }
elif [ -d "$build/python/smorg" ]; then
    echo "install check: the Python package was built but not installed" >&2
    exit 1
fi
echo "install check: the documents installed; examples/ (C++ and C) built against the installed package and ran; the Python package imports"
