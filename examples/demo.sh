#!/usr/bin/env bash
# Run one container from a busybox bundle with dist/runts, then clean up.
#
#   npm run demo            (as root; after npm ci && npm run build)
#   npm run demo -- CMD...  (run CMD instead of the default greeting)
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ $(id -u) -ne 0 ]]; then
  echo "error: the demo creates namespaces, mounts and cgroups: run it as root" >&2
  exit 1
fi
[[ -x dist/runts ]] || { echo "error: dist/runts is missing: run npm ci && npm run build" >&2; exit 1; }

work=$(mktemp -d /tmp/runts-demo-XXXXXX)
root="$work/state"
id="demo-$$"
cleanup() {
  dist/runts --root "$root" delete --force "$id" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

if [[ $# -gt 0 ]]; then
  examples/make-bundle.sh "$work/bundle" -- "$@" >/dev/null
else
  examples/make-bundle.sh "$work/bundle" -- sh -c 'echo "hello from runts: $(hostname), pid $$, uid $(id -u)"; ls /' >/dev/null
fi
status=0
dist/runts --root "$root" run --bundle "$work/bundle" "$id" || status=$?
echo "container $id exited with status $status"
exit "$status"
