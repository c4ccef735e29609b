/**
 * The planner: a validated spec in, a launch plan out. Every decision about
 * order, flags and paths is made here; runts-init only carries the steps out.
 * Pure apart from the injectable host lookups, so it is unit-tested without root.
 */
import { posix } from "node:path";
import { RuntsError } from "../errors.js";
import type { LinuxNamespace, Mount, NamespaceType, Spec } from "../spec/schema.js";
import { CLONE, JOIN_ORDER, MS, NS_FLAGS, S_IFBLK, S_IFCHR, S_IFIFO, makedev } from "./linux.js";
import { DEFAULT_DEVICES } from "./devices.js";
import { type HostView, realHost } from "./host.js";
import { hookStep } from "./hooks.js";
import { cleanPath } from "./paths.js";
import { cpuList, processSteps } from "./process.js";
import { sysctlPath } from "./sysctl.js";
import { PROPAGATION, parseMountOptions, recursiveAttrs } from "./mounts.js";
import { type LaunchPlan, type Note, type Step, hex, oct, step } from "./plan.js";

/** One cgroup hierarchy of the container, for a "cgroup" mount in config.json. */
export interface CgroupMount {
  /** Directory name under the cgroup mount, e.g. "memory", "cpu,cpuacct", "unified", "" for pure v2. */
  name: string;
  /** The container's cgroup directory on the host. */
  hostPath: string;
}

export interface PlanInput {
  spec: Spec;
  /** Absolute bundle directory (relative bind sources are under it). */
  bundle: string;
  /** Absolute rootfs path on the host. */
  rootfs: string;
  /** Exec fifo in the state dir: the container waits on it until `start`. */
  execFifo: string;
  consoleSocket?: string;
  /** --pidfd-socket: gets a pidfd of the container process right after clone. */
  pidfdSocket?: string;
  noPivot?: boolean;
  /** Name of a new session keyring to join (runc: "_ses.<id>"); none with --no-new-keyring. */
  sessionKeyring?: string;
  preserveFds?: number;
  /** Extra environment for the process (LISTEN_FDS/LISTEN_PID under socket activation). */
  extraEnv?: string[];
  cgroupMounts?: CgroupMount[];
  /** For each idmapped mount (by index in spec.mounts): a user namespace with its mappings, prepared by runts. */
  idmapUserns?: ReadonlyMap<number, string>;
  /** Host lookups, injectable for tests. */
  host?: Partial<HostView>;
}

const DEV_SYMLINKS: Array<[string, string]> = [
  ["/proc/self/fd", "/dev/fd"],
  ["/proc/self/fd/0", "/dev/stdin"],
  ["/proc/self/fd/1", "/dev/stdout"],
  ["/proc/self/fd/2", "/dev/stderr"],
];

export function namespaceSet(spec: Spec): Map<NamespaceType, LinuxNamespace> {
  return new Map((spec.linux?.namespaces ?? []).map((ns) => [ns.type, ns]));
}


export function buildPlan(input: PlanInput): LaunchPlan {
  const { spec } = input;
  const host: HostView = { ...realHost, ...input.host };
  const process = spec.process;
  if (!process) throw new RuntsError("config.json: process: required");
  const namespaces = namespaceSet(spec);
  const newNs = (t: NamespaceType) => namespaces.has(t) && !namespaces.get(t)?.path;
  if (!namespaces.has("mount")) {
    throw new RuntsError("config.json: linux.namespaces: runts needs a mount namespace to set up the root filesystem");
  }
  if (spec.hostname && !namespaces.has("uts")) {
    throw new RuntsError("config.json: hostname: unable to set hostname without a private UTS namespace");
  }
  const oom = process.oomScoreAdj;
  if (oom !== undefined && oom < host.oomScoreAdj() && !host.canRaiseLimits()) {
    throw new RuntsError(
      `config.json: process.oomScoreAdj: ${oom} is below the runtime's own oom_score_adj ${host.oomScoreAdj()}, ` +
        "and lowering it needs CAP_SYS_RESOURCE, which runts does not hold on this host",
    );
  }
  if (spec.linux?.mountLabel && !host.selinuxEnabled()) {
    throw new RuntsError("config.json: linux.mountLabel: SELinux is not enabled on this host");
  }
  if (spec.domainname && !namespaces.has("uts")) {
    throw new RuntsError("config.json: domainname: unable to set domainname without a private UTS namespace");
  }
  const userns = newNs("user");
  const steps: Step[] = [];
  const preserveFds = input.preserveFds ?? 0;

  // In the host namespaces, before clone.
  if (input.consoleSocket && process.terminal) steps.push(step("CONSOLE_SOCKET", input.consoleSocket));
  if (input.pidfdSocket) steps.push(step("PIDFD_SOCKET", input.pidfdSocket));
  steps.push(step("OPEN_FIFO", input.execFifo));
  for (const type of JOIN_ORDER) {
    const ns = namespaces.get(type);
    if (ns?.path) steps.push(step("SETNS", hex(NS_FLAGS[type]), ns.path));
  }
  if (newNs("time")) {
    steps.push(step("UNSHARE", hex(CLONE.NEWTIME)));
    const off = spec.linux?.timeOffsets;
    const lines = (["monotonic", "boottime"] as const)
      .filter((k) => off?.[k])
      .map((k) => `${k} ${off?.[k]?.secs ?? 0} ${off?.[k]?.nanosecs ?? 0}\n`);
    if (lines.length) steps.push(step("WRITE_FILE", "/proc/self/timens_offsets", lines.join("")));
  }
  let cloneFlags = 0;
  for (const [type, flag] of Object.entries(NS_FLAGS) as Array<[NamespaceType, number]>) {
    if (newNs(type) && type !== "cgroup" && type !== "time") cloneFlags |= flag;
  }
  steps.push(step("CLONE", hex(cloneFlags)));
  // In the container process. "cgroup": runts makes the cgroup and sets its
  // limits but the devices rules while runts-init clones, then moves the
  // process in; the process waits for that before anything else (affinity
  // within the cpuset too, the cgroup namespace below). The devices rules
  // come at "limits", after the mounts.
  steps.push(step("SYNC", "cgroup")); // cgroupSync below
  const affinity = process.execCPUAffinity;
  if (affinity?.initial) steps.push(step("AFFINITY", ...cpuList(affinity.initial, "process.execCPUAffinity.initial")));

  // "ready": runts writes the id maps and runs the runtime-namespace hooks, then acks.
  const hooks = spec.hooks;
  const hookStates = Boolean(hooks?.createContainer?.length || hooks?.startContainer?.length);
  if (userns || hooks?.prestart?.length || hooks?.createRuntime?.length || hookStates) steps.push(step("SYNC", "ready"));
  if (userns) steps.push(step("SET_IDS", 0, 0));
  if (input.sessionKeyring) steps.push(step("KEYRING", input.sessionKeyring));
  if (newNs("cgroup")) steps.push(step("UNSHARE", hex(CLONE.NEWCGROUP)));

  steps.push(...rootfsSteps(input, host, userns));

  // After the pivot, inside the container's root.
  if (process.terminal) {
    const size = process.consoleSize;
    steps.push(step("TTY", size?.height ?? 0, size?.width ?? 0));
  }
  if (spec.hostname) steps.push(step("HOSTNAME", spec.hostname));
  if (spec.domainname) steps.push(step("DOMAINNAME", spec.domainname));
  const owned = new Set([...namespaces.keys()].filter(newNs));
  for (const [key, value] of Object.entries(spec.linux?.sysctl ?? {})) {
    steps.push(step("SYSCTL", sysctlPath(key, owned), value));
  }
  for (const p of spec.linux?.readonlyPaths ?? []) steps.push(step("READONLY", cleanPath(p)));
  for (const p of spec.linux?.maskedPaths ?? []) steps.push(step("MASK", cleanPath(p)));
  if (spec.root?.readonly) steps.push(step("REMOUNT", "/", hex(MS.RDONLY)));
  const propagation = rootPropagation(spec);
  if (propagation.after) steps.push(step("MOUNT_HOST", "", "/", "", hex(propagation.after), ""));

  const notes: Note[] = [];
  steps.push(
    ...processSteps({
      process,
      personality: spec.linux?.personality,
      preserveFds,
      host,
      notes,
      extraEnv: input.extraEnv ?? [],
      waitStart: true,
      startHooks: spec.hooks?.startContainer ?? [],
    }),
  );

  return {
    mode: "create",
    steps,
    ...(userns
      ? { userns: { uidMappings: spec.linux?.uidMappings ?? [], gidMappings: spec.linux?.gidMappings ?? [] } }
      : {}),
    ...(process.oomScoreAdj !== undefined ? { oomScoreAdj: process.oomScoreAdj } : {}),
    preserveFds,
    notes,
    hookStates,
    cgroupSync: true,
  };
}

/**
 * "/" propagation before the rootfs work and again on the new root after the
 * pivot (runc's order). Shared stays shared both ways; pivot_root only needs
 * the rootfs' parent mount private, which rootfsSteps does. Unbindable cannot
 * be set before the rootfs is bound from "/": only after the pivot.
 */
function rootPropagation(spec: Spec): { before: number; after: number } {
  const requested = spec.linux?.rootfsPropagation;
  if (!requested) return { before: MS.SLAVE | MS.REC, after: 0 };
  const flag = PROPAGATION[requested] ?? MS.SLAVE | MS.REC;
  return { before: flag & MS.UNBINDABLE ? MS.SLAVE | MS.REC : flag, after: flag };
}

function rootfsSteps(input: PlanInput, host: HostView, userns: boolean): Step[] {
  const { spec, rootfs } = input;
  const process = spec.process;
  const before = rootPropagation(spec).before;
  const steps: Step[] = [step("MOUNT_HOST", "", "/", "", hex(before), "")];
  // pivot_root refuses a shared parent of the new root: make that one mount private (as runc).
  if (before & MS.SHARED) steps.push(step("MOUNT_HOST", "", host.mountOf(rootfs), "", hex(MS.PRIVATE), ""));
  steps.push(
    step("MOUNT_HOST", rootfs, rootfs, "", hex(MS.BIND | MS.REC), ""),
    step("OPEN_ROOT", rootfs),
  );
  const mounts = spec.mounts ?? [];
  // "limits": runts writes the devices rules while the mounts are made, and
  // the process waits here until they are set: device nodes (mknod, which the
  // devices cgroup governs), createContainer hooks and the process itself come
  // after. A mount that touches devices waits before itself: one whose source
  // is a path (a block device, say), or a tmpcopyup, whose copy makes the
  // device nodes it finds.
  let limitsSet = false;
  for (const [i, m] of mounts.entries()) {
    if (!limitsSet && touchesDevices(m)) {
      steps.push(step("SYNC", "limits"));
      limitsSet = true;
    }
    steps.push(...mountSteps(m, i, input, host));
  }
  if (!limitsSet) steps.push(step("SYNC", "limits"));

  const devBound = mounts.some((m) => cleanPath(m.destination) === "/dev" && isBind(m));
  if (!devBound) {
    const devices = [
      ...DEFAULT_DEVICES.map((d) => ({ ...d, type: "c" as const, fileMode: 0o666, uid: 0, gid: 0 })),
      ...(spec.linux?.devices ?? []).map((d) => ({
        path: d.path,
        type: d.type,
        major: d.major ?? 0,
        minor: d.minor ?? 0,
        fileMode: d.fileMode ?? 0o666,
        uid: d.uid ?? 0,
        gid: d.gid ?? 0,
      })),
    ];
    for (const d of devices) steps.push(...deviceSteps(d, userns));
    for (const [target, link] of DEV_SYMLINKS) steps.push(step("SYMLINK", target, link));
    if (host.exists("/proc/kcore")) steps.push(step("SYMLINK", "/proc/kcore", "/dev/core"));
    steps.push(step("SYMLINK", "pts/ptmx", "/dev/ptmx"));
    if (process?.terminal) steps.push(step("MKFILE", "/dev/console", oct(0o600)));
  }
  if (process) steps.push(step("MKDIR", cleanPath(process.cwd), oct(0o755)));
  // createContainer hooks: in the container's namespaces, before the pivot.
  for (const h of spec.hooks?.createContainer ?? []) steps.push(hookStep(h, 0));
  steps.push(step(input.noPivot ? "MOVE_ROOT" : "PIVOT_ROOT"));
  return steps;
}

/** A mount that may open or make device nodes (see the "limits" sync). */
function touchesDevices(m: Mount): boolean {
  if (isBind(m)) return false;
  return Boolean(m.source?.startsWith("/")) || parseMountOptions(m.options ?? []).tmpcopyup;
}

function isBind(m: Mount): boolean {
  return m.type === "bind" || (m.options ?? []).some((o) => o === "bind" || o === "rbind");
}

function mountSteps(m: Mount, index: number, input: PlanInput, host: HostView): Step[] {
  const where = `mounts[${index}]`;
  const dest = cleanPath(m.destination);
  if (dest === "/") throw new RuntsError(`config.json: ${where}.destination: cannot mount over the container's root`);
  const opts = parseMountOptions(m.options ?? []);
  if (m.type === "cgroup" || m.type === "cgroup2") return cgroupMountSteps(dest, opts.flags, input.cgroupMounts ?? []);
  if (isBind(m)) {
    if (!m.source) throw new RuntsError(`config.json: ${where}.source: required for a bind mount`);
    const source = posix.resolve(input.bundle, m.source);
    if (!host.exists(source)) throw new RuntsError(`config.json: ${where}.source: ${source} does not exist`);
    const target = host.isDir(source) ? step("MKDIR", dest, oct(0o755)) : step("MKFILE", dest, oct(0o644));
    const bindFlags = MS.BIND | (opts.flags & MS.REC);
    const rest = opts.flags & ~(MS.BIND | MS.REC | MS.REMOUNT);
    if (opts.idmap || m.uidMappings || m.gidMappings) {
      const userns = input.idmapUserns?.get(index);
      if (!userns) throw new RuntsError(`config.json: ${where}: an idmapped mount needs uidMappings and gidMappings`);
      const recursive = opts.idmap === "ridmap" || (opts.flags & MS.REC) !== 0;
      return [
        target,
        step("IDMAP_MOUNT", source, dest, userns, recursive ? 1 : 0),
        ...(rest ? [step("REMOUNT", dest, hex(rest))] : []),
        ...(opts.propagation ? [step("MOUNT", "", dest, "", "0", "", "0", hex(opts.propagation))] : []),
        ...recursiveSteps(dest, opts),
      ];
    }
    return [
      target,
      step("MOUNT", source, dest, "", hex(bindFlags), "", hex(rest), hex(opts.propagation)),
      ...recursiveSteps(dest, opts),
    ];
  }
  if (!m.type) throw new RuntsError(`config.json: ${where}.type: required for a non-bind mount`);
  if (opts.idmap || m.uidMappings || m.gidMappings) {
    throw new RuntsError(`config.json: ${where}: idmapped mounts must be bind mounts`);
  }
  if (opts.tmpcopyup) {
    if (m.type !== "tmpfs") throw new RuntsError(`config.json: ${where}: tmpcopyup needs a tmpfs mount`);
    // Mount writable, copy what the tmpfs covers into it, then apply read-only if asked.
    const ro = opts.flags & MS.RDONLY;
    return [
      step("MKDIR", dest, oct(0o755)),
      step("COPYUP", dest),
      step("MOUNT", m.source ?? m.type, dest, m.type, hex(opts.flags & ~MS.RDONLY), opts.data, "0", hex(opts.propagation)),
      step("COPYUP_DONE", dest),
      ...(ro ? [step("REMOUNT", dest, hex(opts.flags & (MS.RDONLY | MS.NOSUID | MS.NODEV | MS.NOEXEC)))] : []),
      ...recursiveSteps(dest, opts),
    ];
  }
  return [
    step("MKDIR", dest, oct(0o755)),
    step("MOUNT", m.source ?? m.type, dest, m.type, hex(opts.flags), opts.data, "0", hex(opts.propagation)),
    ...recursiveSteps(dest, opts),
  ];
}

function recursiveSteps(dest: string, opts: ReturnType<typeof parseMountOptions>): Step[] {
  const r = recursiveAttrs(opts);
  return r ? [step("MOUNT_SETATTR", dest, hex(r.set), hex(r.clear), "0")] : [];
}

/** A "cgroup" mount shows the container's own cgroups: a tmpfs with each hierarchy bound in. */
function cgroupMountSteps(dest: string, flags: number, hierarchies: CgroupMount[]): Step[] {
  const keep = flags & (MS.NOSUID | MS.NODEV | MS.NOEXEC | MS.RELATIME | MS.RDONLY);
  const pure = hierarchies.length === 1 && hierarchies[0]?.name === "";
  const steps: Step[] = [step("MKDIR", dest, oct(0o755))];
  if (pure) {
    const h = hierarchies[0] as CgroupMount;
    steps.push(step("MOUNT", h.hostPath, dest, "", hex(MS.BIND), "", hex(keep), "0"));
    return steps;
  }
  steps.push(step("MOUNT", "tmpfs", dest, "tmpfs", hex(keep & ~MS.RDONLY), "mode=755", "0", "0"));
  for (const h of hierarchies) {
    const sub = posix.join(dest, h.name);
    steps.push(step("MKDIR", sub, oct(0o755)));
    steps.push(step("MOUNT", h.hostPath, sub, "", hex(MS.BIND), "", hex(keep), "0"));
    // Comounted controllers ("cpu,cpuacct") also answer to each single name, as on the host.
    if (h.name.includes(",")) {
      for (const single of h.name.split(",")) steps.push(step("SYMLINK", h.name, posix.join(dest, single)));
    }
  }
  if (keep & MS.RDONLY) steps.push(step("REMOUNT", dest, hex(keep)));
  return steps;
}

interface DevicePlan {
  path: string;
  type: "c" | "b" | "u" | "p";
  major: number;
  minor: number;
  fileMode: number;
  uid: number;
  gid: number;
}

function deviceSteps(d: DevicePlan, userns: boolean): Step[] {
  const path = cleanPath(d.path);
  if (!path.startsWith("/dev/")) {
    throw new RuntsError(`config.json: linux.devices: ${d.path}: device paths must be under /dev`);
  }
  if (userns) {
    // mknod is not allowed in a user namespace: bind the host's node instead (as runc).
    return [step("MKFILE", path, oct(0o600)), step("MOUNT", path, path, "", hex(MS.BIND), "", "0", "0")];
  }
  const kind = d.type === "b" ? S_IFBLK : d.type === "p" ? S_IFIFO : S_IFCHR;
  return [step("MKNOD", path, oct(kind | (d.fileMode & 0o7777)), makedev(d.major, d.minor), d.uid, d.gid)];
}
