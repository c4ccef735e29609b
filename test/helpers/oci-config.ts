/**
 * OCI runtime configs for test bundles. The default is runc 1.1's `runc spec`
 * output (copied field for field; only terminal, args and hostname differ);
 * the minimal one leaves out the features that land later.
 *
 * The types are deliberately loose: tests mutate configs freely, including
 * into shapes the spec forbids, to check that the runtime rejects them.
 */

export interface OciMount {
  destination: string;
  type?: string;
  source?: string;
  options?: string[];
  [key: string]: unknown;
}

export interface OciProcess {
  terminal?: boolean;
  user: { uid: number; gid: number; additionalGids?: number[]; [key: string]: unknown };
  args: string[];
  env?: string[];
  cwd: string;
  capabilities?: Partial<Record<"bounding" | "effective" | "permitted" | "inheritable" | "ambient", string[]>>;
  rlimits?: { type: string; hard: number; soft: number }[];
  noNewPrivileges?: boolean;
  [key: string]: unknown;
}

export interface OciLinux {
  namespaces?: { type: string; path?: string }[];
  resources?: { devices?: { allow: boolean; access?: string; type?: string; major?: number; minor?: number }[]; [key: string]: unknown };
  maskedPaths?: string[];
  readonlyPaths?: string[];
  cgroupsPath?: string;
  [key: string]: unknown;
}

export interface OciConfig {
  ociVersion: string;
  process?: OciProcess;
  root?: { path: string; readonly?: boolean };
  hostname?: string;
  mounts?: OciMount[];
  linux?: OciLinux;
  [key: string]: unknown;
}

export const DEFAULT_ARGS: readonly string[] = ["sh", "-c", "echo hello from runts; hostname"];

const PATH_ENV = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
const DEFAULT_CAPS = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"];

function baseMounts(): OciMount[] {
  return [
    { destination: "/proc", type: "proc", source: "proc" },
    {
      destination: "/dev",
      type: "tmpfs",
      source: "tmpfs",
      options: ["nosuid", "strictatime", "mode=755", "size=65536k"],
    },
    {
      destination: "/dev/pts",
      type: "devpts",
      source: "devpts",
      options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"],
    },
    {
      destination: "/dev/shm",
      type: "tmpfs",
      source: "shm",
      options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"],
    },
  ];
}

const MQUEUE_MOUNT: OciMount = {
  destination: "/dev/mqueue",
  type: "mqueue",
  source: "mqueue",
  options: ["nosuid", "noexec", "nodev"],
};
const SYS_MOUNT: OciMount = {
  destination: "/sys",
  type: "sysfs",
  source: "sysfs",
  options: ["nosuid", "noexec", "nodev", "ro"],
};
const CGROUP_MOUNT: OciMount = {
  destination: "/sys/fs/cgroup",
  type: "cgroup",
  source: "cgroup",
  options: ["nosuid", "noexec", "nodev", "relatime", "ro"],
};

function namespaces(): { type: string }[] {
  return [{ type: "pid" }, { type: "network" }, { type: "ipc" }, { type: "uts" }, { type: "mount" }];
}

/** What both configs' process has: root, PATH/TERM, cwd /, no terminal. */
function baseProcess(args: readonly string[]): OciProcess {
  return { terminal: false, user: { uid: 0, gid: 0 }, args: [...args], env: [PATH_ENV, "TERM=xterm"], cwd: "/" };
}

/** runc's `runc spec` default, with terminal=false, the given args and hostname "runts". */
export function defaultConfig(args: readonly string[] = DEFAULT_ARGS): OciConfig {
  return {
    ociVersion: "1.0.2-dev",
    process: {
      ...baseProcess(args),
      capabilities: {
        bounding: [...DEFAULT_CAPS],
        effective: [...DEFAULT_CAPS],
        permitted: [...DEFAULT_CAPS],
        ambient: [...DEFAULT_CAPS],
      },
      rlimits: [{ type: "RLIMIT_NOFILE", hard: 1024, soft: 1024 }],
      noNewPrivileges: true,
    },
    root: { path: "rootfs", readonly: true },
    hostname: "runts",
    mounts: [...baseMounts(), { ...MQUEUE_MOUNT }, { ...SYS_MOUNT }, { ...CGROUP_MOUNT }],
    linux: {
      resources: { devices: [{ allow: false, access: "rwm" }] },
      namespaces: namespaces(),
      maskedPaths: [
        "/proc/acpi",
        "/proc/asound",
        "/proc/kcore",
        "/proc/keys",
        "/proc/latency_stats",
        "/proc/timer_list",
        "/proc/timer_stats",
        "/proc/sched_debug",
        "/sys/firmware",
        "/proc/scsi",
      ],
      readonlyPaths: ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"],
    },
  };
}

/**
 * The smallest useful config: process (root user, PATH/TERM, cwd /), a
 * read-only rootfs, hostname, mounts /proc /dev /dev/pts /dev/shm /sys and
 * the five namespaces. No capabilities, rlimits, masked/read-only paths,
 * resources or noNewPrivileges.
 */
export function minimalConfig(args: readonly string[] = DEFAULT_ARGS): OciConfig {
  return {
    ociVersion: "1.0.2-dev",
    process: baseProcess(args),
    root: { path: "rootfs", readonly: true },
    hostname: "runts",
    mounts: [...baseMounts(), { ...SYS_MOUNT }],
    linux: { namespaces: namespaces() },
  };
}
