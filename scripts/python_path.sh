#!/usr/bin/env bash
# Makes the Python module of a build folder importable for this user: one line, smorg-build.pth, in
# the interpreter's user site folder, naming <build>/python. Run by `make demo`; delete the file to
# undo it. Does nothing when the build has no Python module.
set -euo pipefail
build="${1:-build/release}"
package="$(cd "$build" && pwd)/python"
[ -d "$package/smorg" ] || exit 0
python=/usr/bin/python3
[ -x "$python" ] || python="$(command -v python3)"
site="$("$python" -m site --user-site)"
mkdir -p "$site"
if [ "$(cat "$site/smorg-build.pth" 2>/dev/null || true)" != "$package" ]; then
    echo "$package" > "$site/smorg-build.pth"
    echo "smorg: python3 -c 'import smorg' now finds the module of $build ($site/smorg-build.pth)" >&2
fi
