#!/usr/bin/env bash
# Build a small OCI bundle around Debian's static busybox.
#
#   examples/make-bundle.sh DIR [-- CMD ARGS...]
#
# DIR gets rootfs/ (busybox plus a symlink per applet, the usual directories,
# a minimal /etc/passwd and /etc/group) and config.json. config.json comes
# from the runtime's `spec` command (RUNTS_BIN, default dist/runts) when that
# works, else from the runc-style default below; then process.terminal is set
# to false and process.args to CMD (default: sh -c 'echo hello from runts; hostname').
#
# Example:
#   examples/make-bundle.sh /tmp/bb -- sleep 30
#   dist/runts run --bundle /tmp/bb demo
set -euo pipefail

usage() {
  echo "usage: $0 DIR [-- CMD ARGS...]" >&2
  exit 2
}

[[ $# -ge 1 ]] || usage
dir=$1
shift
if [[ $# -gt 0 ]]; then
  [[ $1 == "--" ]] || usage
  shift
fi
if [[ $# -gt 0 ]]; then
  cmd=("$@")
else
  cmd=(sh -c 'echo hello from runts; hostname')
fi

busybox=${BUSYBOX:-/bin/busybox}  # override only to test this script
if [[ ! -x $busybox ]] || ! "$busybox" --list >/dev/null 2>&1; then
  echo "error: $busybox not found or not working; install Debian's static busybox: apt-get install busybox-static" >&2
  exit 1
fi
if ldd "$busybox" >/dev/null 2>&1; then
  echo "error: $busybox is dynamically linked; install the static one: apt-get install busybox-static" >&2
  exit 1
fi
command -v node >/dev/null || { echo "error: node is needed to edit config.json" >&2; exit 1; }

if [[ -e $dir ]] && [[ -n $(ls -A "$dir") ]]; then
  echo "error: $dir exists and is not empty" >&2
  exit 1
fi
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
rootfs=$dir/rootfs

# --- rootfs -----------------------------------------------------------------
mkdir -p "$rootfs"/{bin,proc,sys,dev,tmp,etc,root,home/user,var,run}
chmod 1777 "$rootfs/tmp"
chmod 700 "$rootfs/root"
cp "$busybox" "$rootfs/bin/busybox"
for applet in $("$rootfs/bin/busybox" --list); do
  [[ $applet == busybox ]] && continue
  ln -s busybox "$rootfs/bin/$applet"
done
ln -s bin "$rootfs/sbin"
mkdir -p "$rootfs/usr"
ln -s ../bin "$rootfs/usr/bin"
ln -s ../bin "$rootfs/usr/sbin"

cat >"$rootfs/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
user:x:1000:1000:user:/home/user:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat >"$rootfs/etc/group" <<'EOF'
root:x:0:
user:x:1000:
nogroup:x:65534:
EOF
chown 1000:1000 "$rootfs/home/user"

# --- config.json --------------------------------------------------------------
here=$(cd "$(dirname "$0")" && pwd)
runtime=${RUNTS_BIN:-$here/../dist/runts}
if [[ -x $runtime ]] && (cd "$dir" && "$runtime" spec) >/dev/null 2>&1 && [[ -s $dir/config.json ]]; then
  echo "config.json from: $runtime spec"
else
  rm -f "$dir/config.json"
  echo "config.json from: built-in runc-style default"
  cat >"$dir/config.json" <<'EOF'
{
  "ociVersion": "1.0.2-dev",
  "process": {
    "terminal": true,
    "user": { "uid": 0, "gid": 0 },
    "args": ["sh"],
    "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"],
    "cwd": "/",
    "capabilities": {
      "bounding": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
      "effective": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
      "permitted": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
      "ambient": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
    },
    "rlimits": [{ "type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024 }],
    "noNewPrivileges": true
  },
  "root": { "path": "rootfs", "readonly": true },
  "hostname": "runts",
  "mounts": [
    { "destination": "/proc", "type": "proc", "source": "proc" },
    { "destination": "/dev", "type": "tmpfs", "source": "tmpfs",
      "options": ["nosuid", "strictatime", "mode=755", "size=65536k"] },
    { "destination": "/dev/pts", "type": "devpts", "source": "devpts",
      "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"] },
    { "destination": "/dev/shm", "type": "tmpfs", "source": "shm",
      "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"] },
    { "destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue",
      "options": ["nosuid", "noexec", "nodev"] },
    { "destination": "/sys", "type": "sysfs", "source": "sysfs",
      "options": ["nosuid", "noexec", "nodev", "ro"] },
    { "destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
      "options": ["nosuid", "noexec", "nodev", "relatime", "ro"] }
  ],
  "linux": {
    "resources": { "devices": [{ "allow": false, "access": "rwm" }] },
    "namespaces": [
      { "type": "pid" }, { "type": "network" }, { "type": "ipc" }, { "type": "uts" }, { "type": "mount" }
    ],
    "maskedPaths": [
      "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
      "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi"
    ],
    "readonlyPaths": ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
  }
}
EOF
fi

# process.args comes in as JSON on argv so that no quoting is lost.
args_json=$(node -e 'process.stdout.write(JSON.stringify(process.argv.slice(1)))' -- "${cmd[@]}")
node -e '
  const fs = require("fs");
  const [file, args] = process.argv.slice(1);
  const cfg = JSON.parse(fs.readFileSync(file, "utf8"));
  cfg.process.terminal = false;
  cfg.process.args = JSON.parse(args);
  fs.writeFileSync(file, JSON.stringify(cfg, null, 2) + "\n");
' -- "$dir/config.json" "$args_json"

echo "bundle ready: $dir (process.args: ${cmd[*]})"
