#!/usr/bin/env bash
# Compile src/cli/main.ts into one self-contained runts executable with Bun.
#
#   scripts/compile.sh OUTFILE [--target=bun-linux-arm64]
#
# Used by `npm run build` and scripts/build-arm64.sh, so both builds get the
# same flags:
# - --bytecode --format esm --splitting: every command is its own chunk,
#   loaded on demand, with its bytecode compiled ahead of time.
# - --no-compile-autoload-dotenv / --no-compile-autoload-bunfig: a compiled
#   Bun program reads .env and bunfig.toml from its working directory by
#   default. Engines run the runtime inside the bundle, whose files are
#   untrusted: a .env there could set RUNTS_INIT (which runts-init to run as
#   the container's init) and a bunfig.toml could preload code. It also saves
#   ~1-2 ms of file reads and parsing per call.
# - --compile-jit-policy=1000: a runts process lives for milliseconds; with
#   the default tier-up thresholds JavaScriptCore spends more CPU compiling
#   schema and parser code on its JIT threads than the compiled code saves
#   (run of /bin/true: ~10 ms less CPU, 25-30% less wall time on 2 cores).
# - No --bytecode-order: a profile of every command's first-used functions
#   made every command slower (--version 8.6 -> 10.4 ms, run 28.6 -> 31.5 ms).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: scripts/compile.sh OUTFILE [--target=...]}
shift
bun=node_modules/.bin/bun
[[ -x $bun ]] || bun=bun
"$bun" build --compile --minify --bytecode --format esm --splitting \
  --no-compile-autoload-dotenv --no-compile-autoload-bunfig --compile-jit-policy=1000 \
  "$@" src/cli/main.ts --outfile "$out"
