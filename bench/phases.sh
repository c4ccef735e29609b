#!/usr/bin/env bash
# Per-phase breakdown of `RUNTIME run` of a /bin/true busybox bundle, from
# strace -f --seccomp-bpf -ttt timestamps (ms offsets from the runtime's
# execve; with --seccomp-bpf only the traced syscalls stop the tracee).
#
#   bench/phases.sh [-n N] [--out DIR] [RUNTIME...]
#
# RUNTIME: runts (default), runc, crun, or all. N traced runs per runtime
# (default 5; the medians of each offset are shown) after 2 untraced warm-up
# runs; the untraced median of the same command (hyperfine, 30 runs) is shown
# for scale, since tracing still slows some runtimes down (runc's Go
# runtime most). As root; installs strace with apt-get if missing. Runs in the same
# private mount namespace as bench/run.sh and cleans up after itself.
set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }

N=5 OUT= sel=()
orig_args=("$@")
while [[ $# -gt 0 ]]; do
  case $1 in
    -n) N=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    -h|--help) usage 0 ;;
    all) sel+=("${RUNTIMES[@]}"); shift ;;
    runts|runc|crun) sel+=("$1"); shift ;;
    *) echo "unknown argument: $1" >&2; usage 2 ;;
  esac
done
[[ $N =~ ^[1-9][0-9]*$ ]] || die "-n needs a positive integer"
[[ ${#sel[@]} -gt 0 ]] || sel=(runts)

if ! in_bench_ns; then
  check_prereqs
  ensure_tool strace strace
  ensure_tool hyperfine hyperfine
  if [[ -n $OUT ]]; then mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd); fi
  args=("${orig_args[@]}")
  [[ -n $OUT ]] && args+=(--out "$OUT")
  bench_outside runts-phases "bench-phases-$$" "$0" "${args[@]}"
fi

unset NODE_EXTRA_CA_CERTS
enter_bench_ns
T=$BENCH_TMP
ID=$BENCH_TAG

cleanup() {
  local rc=$? rt
  trap - EXIT INT TERM
  set +e
  for rt in "${RUNTIMES[@]}"; do
    [[ -d $T/$rt/root ]] && "$(rt_bin "$rt")" --root "$T/$rt/root" delete -f "$ID" >/dev/null 2>&1
  done
  sweep_cgroups "$ID"
  if [[ -n $OUT ]]; then cp -r "$T/out"/. "$OUT"/ 2>/dev/null; fi
  rm -rf "$T"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Untraced syscalls cost nothing; openat is traced only to spot config.json.
snapshot_runts "$T/runts/bin"
same_page_cache
SYSCALLS=execve,clone,clone3,vfork,unshare,openat,openat2,mount,pivot_root,exit_group
for rt in "${sel[@]}"; do
  bin=$(rt_bin "$rt")
  root=$T/$rt/root
  bundle=$T/$rt/true
  out=$T/out/$rt
  mkdir -p "$root" "$out"
  make_bench_bundle "$bundle" /bin/true
  echo "$bundle" >"$out/bundle"
  for _ in 1 2; do
    "$bin" --root "$root" run --bundle "$bundle" "$ID" </dev/null >/dev/null || die "$rt run failed"
  done
  for ((i = 1; i <= N; i++)); do
    strace -f --seccomp-bpf -ttt -s 64 -o "$out/trace-$i.txt" -e trace=$SYSCALLS \
      "$bin" --root "$root" run --bundle "$bundle" "$ID" </dev/null >/dev/null ||
      die "$rt run failed under strace (see $out/trace-$i.txt)"
  done
  hyperfine -N -w 3 -r 30 --style none --export-json "$out/untraced.json" \
    "$bin --root $root run --bundle $bundle $ID"
done

node "$BENCH_DIR/phases.mjs" "$T/out" "${sel[@]}"
