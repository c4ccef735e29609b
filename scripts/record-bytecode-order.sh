#!/usr/bin/env bash
# Record which functions runts runs, in the order it first runs them, for
# Bun's profile-guided bytecode layout (`bun build --bytecode-order`):
# scripts/compile.sh then places that bytecode together at the front of the
# executable, so a cold runts process touches fewer pages (state: ~0.8 ms,
# about 9%, of 9 ms here).
#
#   scripts/record-bytecode-order.sh      (as root, after npm run build)
#
# Runs the calls an engine makes for one container (create, start, state,
# exec, kill, delete) and a `run`, each with BUN_BYTECODE_ORDER_OUT, on a
# busybox bundle in a temporary directory; merges the profiles, in that
# order, into build/bytecode-order.txt (committed: builds need no root).
# A profile from an older build still applies; re-record after large changes.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $(id -u) -eq 0 ]] || { echo "error: run as root (the profile comes from real containers)" >&2; exit 1; }
[[ -x dist/runts ]] || { echo "error: dist/runts is missing: npm run build" >&2; exit 1; }

tmp=$(mktemp -d /tmp/runts-order.XXXXXX)
root=$tmp/root
id=order-$$
cleanup() {
  dist/runts --root "$root" delete -f "$id" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

examples/make-bundle.sh "$tmp/sleep" -- sleep 60 >/dev/null
examples/make-bundle.sh "$tmp/true" -- true >/dev/null
n=0
rec() { # rec ARGS...: one runts call, profiled
  n=$((n + 1))
  BUN_BYTECODE_ORDER_OUT=$tmp/$n.txt dist/runts --root "$root" "$@" </dev/null >/dev/null
}
rec create --bundle "$tmp/sleep" "$id"
rec start "$id"
rec state "$id"
rec exec "$id" true
rec kill "$id" KILL
rec delete -f "$id"
rec run --bundle "$tmp/true" "$id"

mkdir -p build
# Each profile: a version line, then one function per line. Keep the first
# version line and every function once, at its first place.
for ((i = 1; i <= n; i++)); do cat "$tmp/$i.txt"; done | awk 'NR == 1 || (FNR > 1 && !seen[$0]++ && $0 !~ /^v[0-9]+$/)' >build/bytecode-order.txt
echo "build/bytecode-order.txt: $(($(wc -l <build/bytecode-order.txt) - 1)) functions from $n calls"
