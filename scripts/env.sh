# Sourced by the scripts: the environment Debian's Emscripten needs.
# Debian's emcc runs its JS tools with Debian's acorn, found through NODE_PATH.
export NODE_PATH="${NODE_PATH:-/usr/share/nodejs}"
JOBS="${JOBS:-$(nproc)}"
