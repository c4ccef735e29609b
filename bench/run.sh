#!/usr/bin/env bash
# Side-by-side benchmark of runts (dist/runts), runc and crun.
#
#   bench/run.sh [--runs N] [--rounds N] [--par N] [--par-rounds N] [--rss-runs N] [--out DIR] [--verbose]
#
# As root, after npm ci && npm run build. Needs hyperfine, node, runc, crun,
# busybox-static; installs GNU time with apt-get if missing. Everything runs
# in one private mount namespace where /sys/fs/cgroup/unified is unmounted
# (crun 1.8 refuses hybrid cgroup hosts), so all three runtimes see the same
# host. Every runtime's executables start from the same page-cache state (see
# same_page_cache in lib.sh). Each runtime gets its own --root and bundles under one temp dir, all
# removed on exit (also on failure or Ctrl-C); the host is checked for
# leftover containers, mounts, cgroup dirs and state at the end.
#
#   --runs N        timed runs for the per-command benchmarks (default 60;
#                   `state` gets twice as many). More do not steady the ratios
#                   much: on this VM the `run` ratio of one build moved between
#                   0.75 and 0.82 over six bench runs of 60, 0.71-0.82 over
#                   three of 120
#   --rounds N      ...split into N rounds (RUNS/N each, rounded up), the
#                   runtimes' order rotated each round, so that all see the
#                   machine's slow and fast minutes alike (default 12)
#   --par N         containers started in parallel (default 50)
#   --par-rounds N  timed rounds of the parallel start (default 3, median)
#   --rss-runs N    creates measured for RSS (default 5, median)
#   --out DIR       keep hyperfine's JSON exports and the results in DIR
#   --verbose       show hyperfine's own output
set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() { sed -n '2,27p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }

RUNS=60 ROUNDS=12 PAR=50 PAR_ROUNDS=3 RSS_RUNS=5 OUT= VERBOSE=0
orig_args=("$@")
while [[ $# -gt 0 ]]; do
  case $1 in
    --runs) RUNS=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --par) PAR=$2; shift 2 ;;
    --par-rounds) PAR_ROUNDS=$2; shift 2 ;;
    --rss-runs) RSS_RUNS=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --verbose) VERBOSE=1; shift ;;
    -h|--help) usage 0 ;;
    *) echo "unknown option: $1" >&2; usage 2 ;;
  esac
done
for n in "$RUNS" "$ROUNDS" "$PAR" "$PAR_ROUNDS" "$RSS_RUNS"; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || die "counts must be positive integers"
done

# ---------------------------------------------------------------------------
# Outside: prepare, run ourselves in the private namespace, check for leftovers.
# ---------------------------------------------------------------------------
if ! in_bench_ns; then
  check_prereqs
  ensure_tool hyperfine hyperfine
  ensure_tool /usr/bin/time time
  if [[ -n $OUT ]]; then mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd); fi
  args=("${orig_args[@]}")
  [[ -n $OUT ]] && args+=(--out "$OUT")
  bench_outside runts-bench "bench-$$" "$0" "${args[@]}"
fi

# ---------------------------------------------------------------------------
# Inside the private mount namespace.
# ---------------------------------------------------------------------------
unset NODE_EXTRA_CA_CERTS
enter_bench_ns
T=$BENCH_TMP
TAG=$BENCH_TAG
RES=$T/results
mkdir -p "$RES" "$T/bin"

snapshot_runts "$T/runts/bin"
same_page_cache
declare -A BIN ROOT
for rt in "${RUNTIMES[@]}"; do
  BIN[$rt]=$(rt_bin "$rt")
  ROOT[$rt]=$T/$rt/root
done

# Every id contains $TAG, so cgroup dirs can be found by name.
id_of() { echo "$TAG-$1-$2"; }

cleanup() {
  local rc=$? rt id ids
  trap - EXIT INT TERM
  set +e
  stop_isolated "$T"
  for rt in "${RUNTIMES[@]}"; do
    [[ -d ${ROOT[$rt]:-/nonexistent} ]] || continue
    ids=$("${BIN[$rt]}" --root "${ROOT[$rt]}" list -q 2>/dev/null)
    # Also the fixed ids, in case list itself is what failed.
    ids+=" $(id_of "$rt" run) $(id_of "$rt" csd) $(id_of "$rt" live) $(id_of "$rt" rss) $(id_of "$rt" check)"
    for id in $(echo "$ids" | tr ' ' '\n' | sort -u); do
      "${BIN[$rt]}" --root "${ROOT[$rt]}" delete -f "$id" >/dev/null 2>&1
    done
  done
  sweep_cgroups "$TAG"
  if [[ -n $OUT && -d $RES ]]; then cp -r "$RES"/. "$OUT"/ 2>/dev/null; fi
  rm -rf "$T"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log() { echo "-- $* [load $(cut -d' ' -f1 /proc/loadavg)]" >&2; }

hf() { # hf NAME [hyperfine args...]
  local name=$1
  shift
  local style=(--style none)
  [[ $VERBOSE == 1 ]] && style=(--style basic)
  if ! run_isolated hyperfine "${style[@]}" --export-json "$RES/$name.json" "$@"; then
    echo "error: hyperfine failed in '$name'; runtime errors, if any:" >&2
    cat "$T"/*.err 2>/dev/null | tail -20 >&2
    exit 1
  fi
}

# hf_rounds NAME RUNS WARMUP RT CMD [RT CMD...]: RUNS timed runs of each
# command, in ROUNDS hyperfine calls whose command order rotates, pooled into
# $RES/NAME.json. This VM's speed drifts by tens of percent over minutes: in
# one long block per runtime, the runtime measured during a slow minute
# would look slower than it is.
hf_rounds() {
  local name=$1 runs=$2 warm=$3 i j x
  shift 3
  local names=() cmds=()
  while [[ $# -gt 0 ]]; do names+=("$1"); cmds+=("$2"); shift 2; done
  local k=${#names[@]} per=$(((runs + ROUNDS - 1) / ROUNDS))
  for ((i = 0; i < ROUNDS; i++)); do
    local args=()
    for ((j = 0; j < k; j++)); do
      x=$(((i + j) % k))
      args+=(-n "${names[x]}" "${cmds[x]}")
    done
    hf "$name.round$i" -N -w "$warm" -r "$per" "${args[@]}"
  done
  node "$BENCH_DIR/merge-hf.mjs" "$RES/$name.json" "$RES/$name".round*.json
}

# --- bundles, one set per runtime, built once ---------------------------------
log "building bundles in $T"
for rt in "${RUNTIMES[@]}"; do
  mkdir -p "${ROOT[$rt]}"
  make_bench_bundle "$T/$rt/true" /bin/true
  # Long enough never to exit by itself during the run.
  make_bench_bundle "$T/$rt/sleep" sleep 600
done

# --- the runtimes must all work here ---------------------------------------------
for rt in "${RUNTIMES[@]}"; do
  if ! out=$("${BIN[$rt]}" --root "${ROOT[$rt]}" run --bundle "$T/$rt/true" "$(id_of "$rt" check)" </dev/null 2>&1); then
    die "$rt cannot run the bundle in this namespace: $out"
  fi
done
log "runts, runc and crun all run the /bin/true bundle"

# --- machine and versions -----------------------------------------------------------
{
  echo "== machine"
  echo "cpus:    $(nproc) x $(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "kernel:  $(uname -srm)"
  echo "memory:  $(awk '/^MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
  echo "cgroups: hybrid v1 host, /sys/fs/cgroup/unified unmounted in the benchmark's mount namespace"
  echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min, at start; other work on the machine skews results)"
  echo "== versions"
  echo "runts:     $("$RUNTS" --version | head -1) (dist/runts built $RUNTS_BUILT, $(du -h "$RUNTS" | cut -f1); git HEAD $(git -C "$REPO_DIR" rev-parse --short HEAD 2>/dev/null || echo '?'))"
  echo "runc:      $(runc --version | head -1)"
  echo "crun:      $(crun --version | head -1)"
  echo "hyperfine: $(hyperfine --version)"
  echo "bundles:   busybox (examples/make-bundle.sh, runts spec config, ociVersion 1.0.2-dev)"
} | tee "$RES/env.txt"
echo

# --- 0. process start-up alone, for scale ------------------------------------------
log "0/6 --version, start-up alone ($RUNS runs each)"
args=()
for rt in "${RUNTIMES[@]}"; do args+=("$rt" "${BIN[$rt]} --version"); done
hf_rounds version "$RUNS" 2 "${args[@]}"

# --- 1. run /bin/true ------------------------------------------------------------------
log "1/6 run /bin/true ($RUNS runs each)"
args=()
for rt in "${RUNTIMES[@]}"; do
  args+=("$rt" "${BIN[$rt]} --root ${ROOT[$rt]} run --bundle $T/$rt/true $(id_of "$rt" run)")
done
hf_rounds run "$RUNS" 2 "${args[@]}"

# --- 2. create + start + delete -f -------------------------------------------------------
log "2/6 create + start + delete -f of sleep 600 ($RUNS runs each)"
args=()
for rt in "${RUNTIMES[@]}"; do
  w=$T/bin/csd-$rt
  cat >"$w" <<EOF
#!/bin/sh
set -e
${BIN[$rt]} --root ${ROOT[$rt]} create --bundle $T/$rt/sleep $(id_of "$rt" csd) </dev/null >/dev/null 2>>$T/$rt.err
${BIN[$rt]} --root ${ROOT[$rt]} start $(id_of "$rt" csd) 2>>$T/$rt.err
${BIN[$rt]} --root ${ROOT[$rt]} delete -f $(id_of "$rt" csd) 2>>$T/$rt.err
EOF
  chmod +x "$w"
  args+=("$rt" "$w")
done
hf_rounds csd "$RUNS" 2 "${args[@]}"

# --- 3. state of a created container -------------------------------------------------
log "3/6 state of a created container ($((RUNS * 2)) runs each)"
args=()
for rt in "${RUNTIMES[@]}"; do
  "${BIN[$rt]}" --root "${ROOT[$rt]}" create --bundle "$T/$rt/sleep" "$(id_of "$rt" live)" </dev/null >/dev/null
  args+=("$rt" "${BIN[$rt]} --root ${ROOT[$rt]} state $(id_of "$rt" live)")
done
hf_rounds state "$((RUNS * 2))" 2 "${args[@]}"

# --- 4. exec /bin/true in a running container ------------------------------------------
args=()
for rt in "${RUNTIMES[@]}"; do
  "${BIN[$rt]}" --root "${ROOT[$rt]}" start "$(id_of "$rt" live)"
  if out=$("${BIN[$rt]}" --root "${ROOT[$rt]}" exec "$(id_of "$rt" live)" /bin/true </dev/null 2>&1); then
    args+=("$rt" "${BIN[$rt]} --root ${ROOT[$rt]} exec $(id_of "$rt" live) /bin/true")
  else
    [[ $rt == runts ]] || die "$rt exec failed: $out"
    echo "$out" | tail -1 >"$RES/exec-$rt.na"
    log "runts exec does not work: $(cat "$RES/exec-$rt.na")"
  fi
done
log "4/6 exec /bin/true in a running container ($RUNS runs each)"
hf_rounds exec "$RUNS" 2 "${args[@]}"
for rt in "${RUNTIMES[@]}"; do
  "${BIN[$rt]}" --root "${ROOT[$rt]}" delete -f "$(id_of "$rt" live)"
done

# --- 5. PAR containers started in parallel ------------------------------------------------
log "5/6 $PAR x run -d of sleep 600 in parallel (1 warm-up + $PAR_ROUNDS rounds each)"
prep=() cmds=()
for rt in "${RUNTIMES[@]}"; do
  w=$T/bin/par-$rt
  cat >"$w" <<EOF
#!/bin/sh
# Wall time until all $PAR containers are running: run -d returns once the
# container's process is started. (xargs gives each command /dev/null as stdin.)
seq 1 $PAR | xargs -P $PAR -I{} ${BIN[$rt]} --root ${ROOT[$rt]} run -d --bundle $T/$rt/sleep $(id_of "$rt" par)-{} >/dev/null 2>>$T/$rt.err
EOF
  c=$T/bin/parclean-$rt
  cat >"$c" <<EOF
#!/bin/sh
# Untimed: count running containers (to check the last round), delete them all.
n=\$(${BIN[$rt]} --root ${ROOT[$rt]} list | grep -c ' running ' || true)
[ "\$n" -gt 0 ] && echo "\$n" >>$RES/par-running-$rt.txt
${BIN[$rt]} --root ${ROOT[$rt]} list -q | xargs -r -n 1 -P 8 ${BIN[$rt]} --root ${ROOT[$rt]} delete -f
left=\$(${BIN[$rt]} --root ${ROOT[$rt]} list -q)
[ -z "\$left" ] || { echo "containers left after delete -f: \$left" >&2; exit 1; }
EOF
  chmod +x "$w" "$c"
  prep+=(--prepare "$c")
  cmds+=(-n "$rt" "$w")
done
hf par -N -w 1 -r "$PAR_ROUNDS" "${prep[@]}" "${cmds[@]}"
for rt in "${RUNTIMES[@]}"; do "$T/bin/parclean-$rt"; done

# --- 6. RSS: runtime during create, container init waiting for start ---------------------
log "6/6 RSS during create ($RSS_RUNS creates each)"
for rt in "${RUNTIMES[@]}"; do
  id=$(id_of "$rt" rss)
  for ((i = 0; i < RSS_RUNS; i++)); do
    /usr/bin/time -f %M -o "$T/time.out" \
      "${BIN[$rt]}" --root "${ROOT[$rt]}" create --bundle "$T/$rt/sleep" --pid-file "$T/rss.pid" "$id" </dev/null >/dev/null
    peak=$(tail -1 "$T/time.out")
    pid=$(cat "$T/rss.pid")
    init=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")
    echo "$peak $init $(tr '\0' ' ' <"/proc/$pid/cmdline" | cut -c1-60)" >>"$RES/rss-$rt.txt"
    "${BIN[$rt]}" --root "${ROOT[$rt]}" delete -f "$id"
    rm -f "$T/rss.pid"
  done
done

echo
node "$BENCH_DIR/report.mjs" "$RES" "$PAR" | tee "$RES/report.txt"
