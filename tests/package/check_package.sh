#!/usr/bin/env bash
# The Debian package of a build folder (cmake/SmorgPackage.cmake, `make package`) holds a working
# smorg. cpack makes it in a scratch folder; its control data must name the shared libraries smorg
# links (oneTBB, SQLite) and python3; unpacked with dpkg-deb into a scratch root, its programs and
# modules must find what they link without LD_LIBRARY_PATH (RUNPATHs relative to $ORIGIN only), and
# from that root `smorg --help`, `smorg --version` and `smorg demo` run and the Python module
# imports. Everything is written under the scratch folder, removed on exit.
#
#     tests/package/check_package.sh BUILD_FOLDER
set -euo pipefail

fail() {
    echo "package check: $*" >&2
    exit 1
}
# The last lines of a log, indented, on stderr.
show() {
    tail -n 40 "$1" | sed 's/^/    /' >&2
}

[ $# -eq 1 ] || fail "usage: check_package.sh BUILD_FOLDER"
[ -f "$1/CPackConfig.cmake" ] || fail "$1 has no CPackConfig.cmake (configure it: cmake --preset release)"
build="$(cd "$1" && pwd)"
for tool in cpack dpkg-deb dpkg-shlibdeps file readelf ldd; do
    command -v "$tool" >/dev/null || fail "$tool is missing (scripts/setup.sh installs dpkg-dev and file)"
done

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
scratch="$(cd "$scratch" && pwd -P)"
unset LD_LIBRARY_PATH
export TMPDIR="$scratch/tmp"
mkdir "$TMPDIR" "$scratch/out" "$scratch/root" "$scratch/work"

# The package, made into the scratch folder (the staging files too).
if ! (cd "$scratch/work" && cpack --config "$build/CPackConfig.cmake" -G DEB -B "$scratch/out") \
        >"$scratch/cpack.log" 2>&1; then
    show "$scratch/cpack.log"
    fail "cpack -G DEB failed"
fi
shopt -s nullglob
debs=("$scratch"/out/*.deb)
shopt -u nullglob
[ ${#debs[@]} -eq 1 ] || fail "cpack made ${#debs[@]} .deb files, not one"
deb="${debs[0]}"

# Its control data.
dpkg-deb --info "$deb" >"$scratch/info.txt" || fail "dpkg-deb --info cannot read $(basename "$deb")"
field() {
    dpkg-deb --field "$deb" "$1"
}
[ "$(field Package)" = smorg ] || fail "the package is named '$(field Package)', not smorg"
version="$(field Version)"
arch="$(field Architecture)"
[ "$(basename "$deb")" = "smorg_${version}_${arch}.deb" ] ||
    fail "the package file is $(basename "$deb"), not smorg_${version}_${arch}.deb"
depends="$(sed -n 's/^ Depends: //p' "$scratch/info.txt")"
[ -n "$depends" ] || { show "$scratch/info.txt"; fail "dpkg-deb --info shows no Depends line"; }
expected=(libtbb libsqlite3 libstdc++)
[ ! -d "$build/python/smorg" ] || expected+=(python3)
[ ! -x "$build/mpi/smorg-mpi" ] || expected+=(libopenmpi3)
for dependency in "${expected[@]}"; do
    case ", $depends" in
    *", $dependency"*) ;;
    *) fail "the Depends line does not name $dependency: $depends" ;;
    esac
done

# Its files: everything under /usr, where the install puts it (the library folder found, not
# assumed: lib, or lib/<triplet> for a build configured for /usr).
dpkg-deb -x "$deb" "$scratch/root" || fail "dpkg-deb -x cannot unpack $(basename "$deb")"
root="$scratch/root"
outside="$(dpkg-deb --contents "$deb" | awk '{print $6}' | grep -v -e '^\./$' -e '^\./usr/' || true)"
[ -z "$outside" ] || fail "files outside /usr: $outside"
local_files="$(dpkg-deb --contents "$deb" | awk '{print $6}' | grep '^\./usr/local/' || true)"
[ -z "$local_files" ] || fail "files under /usr/local: $local_files"
shared="$(find "$root/usr/lib" -name 'libsmorg.so.*' -type f | head -n 1)"
[ -n "$shared" ] || fail "libsmorg.so is not in the package"
libdir="$(dirname "$shared")"
for file in usr/bin/smorg "${libdir#"$root"/}/libsmorg_queries.a" "${libdir#"$root"/}/cmake/smorg/smorgConfig.cmake" \
    usr/include/smorg/c/smorg.h usr/include/smorg/queries/query_engine.h \
    usr/share/doc/smorg/README.md usr/share/doc/smorg/docs/reference.md; do
    [ -e "$root/$file" ] || fail "/$file is not in the package"
done
python_dir="$root/usr/lib/python3/dist-packages"
if [ -d "$build/python/smorg" ]; then
    [ -f "$python_dir/smorg/__init__.py" ] ||
        fail "the build has the Python module but the package has no /usr/lib/python3/dist-packages/smorg"
fi

# Every program and module finds its libraries from where it was unpacked: RUNPATHs only relative
# to $ORIGIN (none into the build tree), and nothing the loader cannot find.
elves=0
while IFS= read -r -d '' file; do
    file -b "$file" | grep -q '^ELF .*dynamically linked' || continue
    elves=$((elves + 1))
    name="/${file#"$root"/}"
    runpath="$(readelf -d "$file" | sed -n 's/.*(R\(UN\)\{0,1\}PATH).*\[\(.*\)\]$/\2/p' | paste -sd:)"
    IFS=: read -r -a entries <<<"$runpath"
    for entry in "${entries[@]}"; do
        case "$entry" in
        \$ORIGIN | \$ORIGIN/*) ;;
        *) fail "$name has the RUNPATH entry '$entry' (only \$ORIGIN-relative ones are moved with it)" ;;
        esac
    done
    missing="$(ldd "$file" 2>&1 | grep 'not found' || true)"
    [ -z "$missing" ] || fail "$name does not find its libraries from the unpacked root:"$'\n'"$missing"
    loaded="$(ldd "$file" | awk '$1 ~ /^libsmorg\.so/ {print $3}')"
    if [ -n "$loaded" ]; then
        loaded="$(realpath "$loaded")"
        [ "$(dirname "$loaded")" = "$libdir" ] || fail "$name loads $loaded, not the package's libsmorg.so"
    fi
done < <(find "$root" -type f -print0)
[ "$elves" -gt 0 ] || fail "no ELF file in the package"

# The command line, run from the unpacked root in a scratch folder.
smorg="$root/usr/bin/smorg"
cd "$scratch/work"
"$smorg" --help >"$scratch/help.txt" 2>&1 || { show "$scratch/help.txt"; fail "smorg --help exited non-zero"; }
grep -q 'demo' "$scratch/help.txt" || { show "$scratch/help.txt"; fail "smorg --help does not list demo"; }
# --help points at the documents where this root holds them.
grep -q "Installed under $root/usr/share/doc/smorg " "$scratch/help.txt" ||
    { show "$scratch/help.txt"; fail "smorg --help does not point at the package's documents"; }
[ "$("$smorg" --version)" = "smorg $version" ] ||
    fail "smorg --version says '$("$smorg" --version)', the package is version $version"
if ! "$smorg" --quiet demo --dir "$scratch/demo" >"$scratch/demo.txt" 2>&1; then
    show "$scratch/demo.txt"
    fail "smorg demo exited non-zero (it needs Graphviz's dot for the silo map)"
fi
for section in "=== Reach" "=== Advocates" "=== Silos"; do
    grep -q "^$section" "$scratch/demo.txt" || { show "$scratch/demo.txt"; fail "smorg demo printed no '$section' section"; }
done
[ -s "$scratch/demo/sample.db" ] || fail "smorg demo left no database in its --dir"
[ -s "$scratch/demo/silo-map.svg" ] || fail "smorg demo drew no silo map in its --dir"

# The Python module from the unpacked dist-packages (not the user's site folder), with the
# libsmorg.so beside it.
if [ -d "$python_dir/smorg" ]; then
    if ! PYTHONPATH="$python_dir" /usr/bin/python3 -s -c '
import sys
import smorg
db = smorg.open(":memory:")
assert db.stats()["nodes"] == 0
root = sys.argv[1]
assert smorg.__file__.startswith(root + "/"), f"smorg imported from {smorg.__file__}"
with open("/proc/self/maps") as maps:
    libs = {line.split()[-1] for line in maps if "libsmorg.so" in line}
assert libs and all(lib.startswith(root + "/") for lib in libs), f"libsmorg.so loaded from {libs}"
' "$root" >"$scratch/python.txt" 2>&1; then
        show "$scratch/python.txt"
        fail "the Python module does not import from /usr/lib/python3/dist-packages of the unpacked package"
    fi
fi

size="$(du -k "$deb" | cut -f1)"
echo "package check: $(basename "$deb") (${size} KiB; Depends: $depends) unpacks and runs: smorg --help, smorg demo," \
    "and the Python module from /usr/lib/python3/dist-packages, without LD_LIBRARY_PATH"
