#!/usr/bin/env bash
# Installs the Debian 12 packages smorg needs to build, test and benchmark, when they are missing.
# Uses sudo only when not root. Safe to run again: it installs nothing when all are present.
set -euo pipefail

packages=(
    build-essential cmake ninja-build pkg-config dpkg-dev file
    libboost-graph-dev libtbb-dev libsqlite3-dev nlohmann-json3-dev catch2 libcli11-dev zlib1g-dev libcpp-httplib-dev libpugixml-dev
    graphviz librsvg2-bin chromium chromium-driver python3-selenium python3-pil
    clang-15 libfuzzer-15-dev llvm clang-format clang-tidy
    python3 python3-networkx python3-igraph python3-graph-tool python3-scipy python3-numpy
    python3-dev pybind11-dev python3-pandas python3-pytest
    openmpi-bin libopenmpi-dev
)

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

echo "smorg setup: installing ${missing[*]}" >&2
if [ "$(id -u)" -eq 0 ]; then
    sudo_cmd=()
else
    sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
