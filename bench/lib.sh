# Shared helpers for bench/run.sh and bench/phases.sh (sourced, not run).
# shellcheck shell=bash

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$BENCH_DIR/.." && pwd)
RUNTS="$REPO_DIR/dist/runts"
RUNTIMES=(runts runc crun)

die() {
  echo "error: $*" >&2
  exit 1
}

# Path of the binary for runtime NAME.
rt_bin() {
  case $1 in
    runts) echo "$RUNTS" ;;
    runc) command -v runc ;;
    crun) command -v crun ;;
    *) die "unknown runtime $1" ;;
  esac
}

# ensure_tool CMD PACKAGE: install PACKAGE with apt-get when CMD is missing.
ensure_tool() {
  local cmd=$1 pkg=$2
  if [[ $cmd == /* ]]; then [[ -x $cmd ]] && return 0; else command -v "$cmd" >/dev/null && return 0; fi
  echo "installing $pkg (for $cmd)..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq "$pkg" >/dev/null 2>&1 ||
    { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq "$pkg" >/dev/null; } ||
    die "could not install $pkg"
}

# same_page_cache: every runtime's executables start from the same page-cache
# state, that of a first run after boot (call it after snapshot_runts, on the
# files that are measured): each file's cached pages are dropped
# and the file is read back in one sequential pass (readahead). How a file got
# into the cache matters here: the same runts binary written in 4 KiB pieces
# started 18% slower than after a sequential re-read, and runc's long-installed
# binary 8% slower.
same_page_cache() {
  local f
  for f in "$RUNTS" "$(dirname "$RUNTS")/runts-init" "$(command -v runc)" "$(command -v crun)"; do
    # Written back first: the runts snapshot was just copied, and dirty pages are not dropped.
    sync "$f" 2>/dev/null || true
    dd if="$f" iflag=nocache count=0 status=none 2>/dev/null || true
    cat "$f" >/dev/null
  done
}

check_prereqs() {
  [[ $(id -u) -eq 0 ]] || die "run as root (containers need namespaces, mounts and cgroups)"
  [[ -x $RUNTS && -x $REPO_DIR/dist/runts-init ]] || die "dist/runts is missing: run npm ci && npm run build"
  command -v runc >/dev/null || die "runc not found"
  command -v crun >/dev/null || die "crun not found"
  command -v node >/dev/null || die "node not found"
  command -v unshare >/dev/null || die "unshare (util-linux) not found"
  [[ -x /bin/busybox ]] || die "/bin/busybox missing: apt-get install busybox-static"
  if [[ -n ${NODE_EXTRA_CA_CERTS:-} ]]; then
    echo "note: unsetting NODE_EXTRA_CA_CERTS for the measurements" >&2
    unset NODE_EXTRA_CA_CERTS
  fi
}

# snapshot_runts DIR: copy dist/runts and dist/runts-init (which runts finds
# beside itself) into DIR and use that copy, so that a rebuild of dist/ while
# the benchmark runs cannot swap the binary under it.
snapshot_runts() {
  local dir=$1
  mkdir -p "$dir"
  cp "$REPO_DIR/dist/runts" "$REPO_DIR/dist/runts-init" "$dir/"
  RUNTS_BUILT=$(date -r "$REPO_DIR/dist/runts" '+%Y-%m-%d %H:%M:%S')
  RUNTS=$dir/runts
}

# Re-exec the calling script inside a private mount namespace in which
# /sys/fs/cgroup/unified is unmounted: crun 1.8 refuses hybrid cgroup hosts
# ("cgroups in hybrid mode not supported"), and all three runtimes must see
# the same host. Returns only inside the namespace; outside it runs the
# script as a child and returns its exit status in BENCH_NS_STATUS.
BENCH_NS_MARKER=RUNTS_BENCH_IN_NS
in_bench_ns() { [[ ${!BENCH_NS_MARKER:-} == 1 ]]; }

run_in_bench_ns() {
  # $0 and "$@" of the caller
  local script=$1
  shift
  BENCH_NS_STATUS=0
  # A handler (not an ignore) so that the child still gets Ctrl-C and cleans up
  # while this outer shell waits for it and then checks for leftovers.
  trap 'true' INT TERM
  env "$BENCH_NS_MARKER=1" unshare -m --propagation private bash "$script" "$@" || BENCH_NS_STATUS=$?
  trap - INT TERM
}

enter_bench_ns() {
  if mountpoint -q /sys/fs/cgroup/unified 2>/dev/null; then
    umount /sys/fs/cgroup/unified || die "cannot unmount /sys/fs/cgroup/unified in the private namespace"
  fi
  # crun then takes the bare directory (on the host's /sys/fs/cgroup tmpfs) for
  # a cgroup and leaves <id>/cgroup.procs files in it, hidden under the host's
  # cgroup2 mount. A private tmpfs over it keeps those in this namespace.
  if [[ -d /sys/fs/cgroup/unified ]]; then
    mount -t tmpfs -o size=4m,mode=755 bench-unified /sys/fs/cgroup/unified ||
      die "cannot mount a tmpfs over /sys/fs/cgroup/unified in the private namespace"
  fi
}

# make_bench_bundle DIR CMD...: busybox bundle via examples/make-bundle.sh.
# ociVersion is set to runc 1.1's "1.0.2-dev": crun 1.8.1 rejects the
# "1.2.0" that `runts spec` declares ("unknown version specified").
make_bench_bundle() {
  local dir=$1
  shift
  RUNTS_BIN=$RUNTS "$REPO_DIR/examples/make-bundle.sh" "$dir" -- "$@" >/dev/null
  node -e '
    const fs = require("fs");
    const f = process.argv[1];
    const c = JSON.parse(fs.readFileSync(f, "utf8"));
    c.ociVersion = "1.0.2-dev";
    fs.writeFileSync(f, JSON.stringify(c, null, 2) + "\n");
  ' "$dir/config.json"
}

# find_leftovers TMP TAG: what the bench left. (Every runtime puts a bundle
# without cgroupsPath in <id> under its own cgroup: tagged ids find them all.)
find_leftovers() {
  local tmp=$1 tag=$2 bad=0 p r
  local cg
  cg=$(find /sys/fs/cgroup -name "*$tag*" 2>/dev/null || true)
  if [[ -n $cg ]]; then
    echo "leftover cgroup dirs:"; echo "$cg" | sed 's/^/  /'; bad=1
  fi
  for p in /proc/[0-9]*; do
    r=$(readlink "$p/root" 2>/dev/null || true)
    if [[ $r == "$tmp"* ]]; then echo "leftover process ${p#/proc/} (root $r)"; bad=1; fi
  done
  if grep -qsF "$tmp" /proc/self/mountinfo; then
    echo "leftover mounts:"; grep -F "$tmp" /proc/self/mountinfo | sed 's/^/  /'; bad=1
  fi
  if [[ -e $tmp ]]; then echo "leftover temp dir $tmp"; bad=1; fi
  for r in /run/runc /run/crun /run/runts; do
    if [[ -d $r ]] && ls "$r" 2>/dev/null | grep -q "$tag"; then echo "leftover state in $r"; bad=1; fi
  done
  return $bad
}

# bench_outside NAME TAG SCRIPT ARGS...: the outer half of a bench script: a
# temp dir (/tmp/NAME.XXXXXX) and a tag for this run, SCRIPT ARGS re-run
# inside the private namespace, then the check for anything left on the host
# (our cgroups swept if so). Exits with the script's status, 1 if it passed
# but left something.
bench_outside() {
  local name=$1 tag=$2 status other
  shift 2
  BENCH_TMP=$(mktemp -d "/tmp/$name.XXXXXX")
  BENCH_TAG=$tag
  export BENCH_TMP BENCH_TAG
  run_in_bench_ns "$@"
  status=$BENCH_NS_STATUS
  echo
  echo "== cleanup check (host mount namespace)"
  if find_leftovers "$BENCH_TMP" "$BENCH_TAG"; then
    echo "ok: no container, process, mount, cgroup dir (find /sys/fs/cgroup -name '*$BENCH_TAG*') or state left"
  else
    [[ $status -ne 0 ]] || status=1
    sweep_cgroups "$BENCH_TAG"
  fi
  other=$(find /sys/fs/cgroup -name '*bench*' 2>/dev/null | grep -v "$BENCH_TAG" || true)
  [[ -z $other ]] || echo "note: other '*bench*' cgroup dirs exist, not ours: $(echo "$other" | tr '\n' ' ')"
  rm -rf "$BENCH_TMP" 2>/dev/null || true
  exit "$status"
}

# Runs "$@" in a session of its own and waits for it, so that Ctrl-C reaches
# only the calling script (whose trap then stops the command with SIGTERM via
# stop_isolated): runtime commands inside it are never cut short mid-create.
ISOLATED_PID=
run_isolated() {
  setsid "$@" &
  ISOLATED_PID=$!
  local rc=0
  wait "$ISOLATED_PID" || rc=$?
  ISOLATED_PID=
  return "$rc"
}

# stop_isolated TMP: SIGTERM the command run_isolated is waiting for, then give
# the runtime commands it left running (those with TMP in their arguments, in
# its process group) up to 15 s to finish.
stop_isolated() {
  local tmp=$1 pg=$ISOLATED_PID p i busy
  [[ -n $pg ]] || return 0
  kill -TERM "$pg" 2>/dev/null
  wait "$pg" 2>/dev/null
  for ((i = 0; i < 150; i++)); do
    busy=
    for p in /proc/[0-9]*; do
      [[ $(cut -d' ' -f5 "$p/stat" 2>/dev/null) == "$pg" ]] || continue
      tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -qF "$tmp" && { busy=1; break; }
    done
    [[ -n $busy ]] || break
    sleep 0.1
  done
  ISOLATED_PID=
}

# sweep_cgroups TAG: remove cgroup dirs named *TAG* that a runtime left behind
# (e.g. a command interrupted by Ctrl-C), killing by pid whatever they still
# hold (only our containers can be in them). Prints what it removed. Inside
# the namespace, the private tmpfs over /sys/fs/cgroup/unified is skipped: it
# goes away with the namespace.
sweep_cgroups() {
  local tag=$1 dirs d p skip=/nonexistent
  in_bench_ns && skip=/sys/fs/cgroup/unified
  dirs=$(find /sys/fs/cgroup -path "$skip" -prune -o -type d -name "*$tag*" -print 2>/dev/null | sort -r || true)
  [[ -n $dirs ]] || return 0
  echo "note: removing $(echo "$dirs" | wc -l) cgroup dir(s) that the runtimes left behind:" >&2
  echo "$dirs" | sed 's/^/  /' | head -20 >&2
  for d in $dirs; do
    for p in $(cat "$d/cgroup.procs" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
  done
  sleep 0.2
  for d in $dirs; do rmdir "$d" 2>/dev/null; done
  return 0
}
