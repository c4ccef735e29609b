#!/usr/bin/env bash
# Cross-build runts for linux-arm64 into dist/linux-arm64/ (runts + runts-init).
#
#   npm run build:arm64      (needs Debian's gcc-aarch64-linux-gnu)
#
# runts-init: static, cross-compiled with glibc. runts: bun build --compile
# for bun-linux-arm64 (Bun fetches its arm64 runtime from the npm registry),
# with ffi-rs's arm64 addon, which npm does not install on an x86_64 machine:
# it is unpacked from the registry into node_modules first.
set -euo pipefail
cd "$(dirname "$0")/.."

out=dist/linux-arm64
cross=${CROSS_COMPILE:-aarch64-linux-gnu-}
command -v "${cross}gcc" >/dev/null || {
  echo "error: ${cross}gcc not found: apt-get install gcc-aarch64-linux-gnu" >&2
  exit 1
}
mkdir -p "$out"
make -s -C native-shims OUT="$PWD/$out" CC="${cross}gcc" STRIP="${cross}strip"

ffi_version=$(node -p 'require("./node_modules/ffi-rs/package.json").version')
addon=node_modules/@yuuang/ffi-rs-linux-arm64-gnu
if [[ ! -f $addon/package.json ]] || [[ $(node -p "require('./$addon/package.json').version") != "$ffi_version" ]]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "@yuuang/ffi-rs-linux-arm64-gnu@$ffi_version" >/dev/null)
  rm -rf "$addon" && mkdir -p "$addon"
  tar -xzf "$tmp"/*.tgz -C "$addon" --strip-components=1
fi

bash scripts/compile.sh "$out/runts" --target=bun-linux-arm64
rm -rf "$out"/*.o "$out"/kheaders
file "$out/runts" "$out/runts-init" 2>/dev/null || ls -l "$out"
