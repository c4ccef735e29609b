/**
 * `runts spec [-b bundle] [--rootless]`: write a starter config.json into the
 * bundle, like `runc spec` (runc 1.1 specconv.Example / ToRootless, written
 * with json.MarshalIndent(spec, "", "\t"), no trailing newline, mode 0666
 * before umask).
 *
 * Where runts differs from runc 1.1.5 on purpose:
 * - "ociVersion" is RUNTS_SPEC_VERSION ("1.2.0", the runtime-spec version
 *   runts implements) instead of runc's "1.0.2-dev";
 * - "hostname" is "runts" instead of "runc" (crun likewise writes "crun").
 */
import { stat, statfs, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { RuntsError, errnoText } from "../errors.js";
import { specArgs, type ParsedCommandLine } from "../cli/args.js";
import { flagString } from "../cli/flags.js";
import { CGROUP2_SUPER_MAGIC } from "../cgroups/common.js";
import { OCI_VERSION } from "../version.js";
import { cleanPath } from "../plan/paths.js";

/** The runtime-spec version runts declares in the configs it writes (src/version.ts OCI_VERSION, "1.2.0"). */
export const RUNTS_SPEC_VERSION: string = OCI_VERSION;

export interface IdMapping {
  containerID: number;
  hostID: number;
  size: number;
}

export interface ExampleMount {
  destination: string;
  type: string;
  source: string;
  options?: string[];
}

/** The shape of the starter config (field order matters: it is the output order). */
export interface ExampleSpec {
  ociVersion: string;
  process: {
    terminal: boolean;
    user: { uid: number; gid: number };
    args: string[];
    env: string[];
    cwd: string;
    capabilities: { bounding: string[]; effective: string[]; permitted: string[]; ambient: string[] };
    rlimits: { type: string; hard: number; soft: number }[];
    noNewPrivileges: boolean;
  };
  root: { path: string; readonly: boolean };
  hostname: string;
  mounts: ExampleMount[];
  linux: {
    uidMappings?: IdMapping[];
    gidMappings?: IdMapping[];
    resources?: { devices: { allow: boolean; access: string }[] };
    namespaces: { type: string }[];
    maskedPaths: string[];
    readonlyPaths: string[];
  };
}

export interface ExampleOptions {
  /** Add a cgroup namespace, as runc does when /sys/fs/cgroup is cgroup v2. */
  cgroupV2: boolean;
  ociVersion?: string;
  hostname?: string;
}

/** runc's specconv.Example(), with runts's version and hostname. */
export function exampleSpec(opts: ExampleOptions): ExampleSpec {
  const caps = (): string[] => ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"];
  const namespaces = ["pid", "network", "ipc", "uts", "mount"].map((type) => ({ type }));
  if (opts.cgroupV2) namespaces.push({ type: "cgroup" });
  return {
    ociVersion: opts.ociVersion ?? RUNTS_SPEC_VERSION,
    process: {
      terminal: true,
      user: { uid: 0, gid: 0 },
      args: ["sh"],
      env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"],
      cwd: "/",
      capabilities: { bounding: caps(), effective: caps(), permitted: caps(), ambient: caps() },
      rlimits: [{ type: "RLIMIT_NOFILE", hard: 1024, soft: 1024 }],
      noNewPrivileges: true,
    },
    root: { path: "rootfs", readonly: true },
    hostname: opts.hostname ?? "runts",
    mounts: [
      { destination: "/proc", type: "proc", source: "proc" },
      { destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "strictatime", "mode=755", "size=65536k"] },
      {
        destination: "/dev/pts",
        type: "devpts",
        source: "devpts",
        options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"],
      },
      { destination: "/dev/shm", type: "tmpfs", source: "shm", options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"] },
      { destination: "/dev/mqueue", type: "mqueue", source: "mqueue", options: ["nosuid", "noexec", "nodev"] },
      { destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"] },
      { destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup", options: ["nosuid", "noexec", "nodev", "relatime", "ro"] },
    ],
    linux: {
      resources: { devices: [{ allow: false, access: "rwm" }] },
      namespaces,
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
 * runc's specconv.ToRootless: no network (or pre-existing user) namespace, a
 * user namespace mapping the caller's euid/egid to 0, /sys as a read-only
 * rbind, no uid=/gid= mount options, no cgroup resources.
 */
export function toRootless(spec: ExampleSpec, euid: number, egid: number): ExampleSpec {
  const namespaces = spec.linux.namespaces.filter((ns) => ns.type !== "network" && ns.type !== "user");
  namespaces.push({ type: "user" });
  const mounts = spec.mounts.map((m): ExampleMount => {
    if (cleanPath(m.destination) === "/sys") {
      return { destination: "/sys", type: "none", source: "/sys", options: ["rbind", "nosuid", "noexec", "nodev", "ro"] };
    }
    const options = (m.options ?? []).filter((o) => !o.startsWith("gid=") && !o.startsWith("uid="));
    const out: ExampleMount = { destination: m.destination, type: m.type, source: m.source };
    if (options.length > 0) out.options = options;
    return out;
  });
  // Rebuild linux so the mappings come first, as in the Go struct.
  const linux: ExampleSpec["linux"] = {
    uidMappings: [{ containerID: 0, hostID: euid, size: 1 }],
    gidMappings: [{ containerID: 0, hostID: egid, size: 1 }],
    namespaces,
    maskedPaths: spec.linux.maskedPaths,
    readonlyPaths: spec.linux.readonlyPaths,
  };
  return { ...spec, mounts, linux };
}

/** The file content `runts spec` writes: Go's MarshalIndent with a tab, no trailing newline. */
export function renderSpec(spec: ExampleSpec): string {
  return JSON.stringify(spec, null, "\t");
}

/** True when /sys/fs/cgroup is a cgroup2 mount (runc's cgroups.IsCgroup2UnifiedMode). */
async function isCgroup2Unified(path = "/sys/fs/cgroup"): Promise<boolean> {
  try {
    return (await statfs(path)).type === CGROUP2_SUPER_MAGIC;
  } catch {
    return false;
  }
}

function code(err: unknown): string | undefined {
  return err instanceof Error && "code" in err && typeof err.code === "string" ? err.code : undefined;
}

/** Exit code 0 on success; failures throw RuntsError with runc's text. */
export async function run(args: ParsedCommandLine): Promise<number> {
  const { bundle, rootless } = specArgs(args);
  const given = flagString(args, "bundle");
  if (given !== "") {
    // runc chdirs into the bundle; mirror its error text.
    let isDir: boolean;
    try {
      isDir = (await stat(bundle)).isDirectory();
    } catch (err) {
      throw new RuntsError(`chdir ${given}: ${errnoText(code(err) ?? "ENOENT")}`);
    }
    if (!isDir) throw new RuntsError(`chdir ${given}: ${errnoText("ENOTDIR")}`);
  }

  let spec = exampleSpec({ cgroupV2: await isCgroup2Unified() });
  if (rootless) spec = toRootless(spec, process.geteuid?.() ?? 0, process.getegid?.() ?? 0);

  const file = join(bundle, "config.json");
  try {
    await stat(file);
    throw new RuntsError("File config.json exists. Remove it first");
  } catch (err) {
    if (err instanceof RuntsError) throw err;
    if (code(err) !== "ENOENT") throw new RuntsError(`stat config.json: ${errnoText(code(err) ?? "EIO")}`);
  }
  try {
    await writeFile(file, renderSpec(spec), { mode: 0o666 });
  } catch (err) {
    throw new RuntsError(`open config.json: ${errnoText(code(err) ?? "EIO")}`);
  }
  return 0;
}
