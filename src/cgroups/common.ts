/**
 * The one cgroup interface the rest of runts talks to, whatever the host has
 * (cgroup v1, hybrid v1 + unified, or pure v2), and the serializable state a
 * later process rebuilds a manager from.
 *
 * Layout (after youki's libcgroups): this file is the common interface,
 * `detect.ts` finds out what the host has, `paths.ts` turns an OCI
 * cgroupsPath into directories, `v1/` and `v2/` hold one manager each plus one
 * file per controller, `resources.ts` checks linux.resources for what this
 * build can apply.
 */

import type { CgroupStats } from "./stats.js";

export type CgroupMode = "v1" | "hybrid" | "v2";

/** OCI LinuxDeviceCgroup (config.json linux.resources.devices[]). */
export interface LinuxDeviceCgroup {
  allow: boolean;
  /** "a" (all), "b" (block) or "c" (char); absent means "a". */
  type?: string;
  /** null or absent means any major ("*"). */
  major?: number | null;
  /** null or absent means any minor ("*"). */
  minor?: number | null;
  /** Any combination of "r", "w", "m"; absent means "rwm". */
  access?: string;
}

/** OCI LinuxMemory. Numbers are bytes; 0 or absent means "not set", -1 "unlimited". */
export interface LinuxMemory {
  limit?: number;
  reservation?: number;
  /** memory + swap (as in cgroup v1), not swap alone. */
  swap?: number;
  kernel?: number;
  kernelTCP?: number;
  /** 0..100; absent or -1 (2^64-1 as engines send it) means "not set". */
  swappiness?: number;
  disableOOMKiller?: boolean;
  useHierarchy?: boolean;
  checkBeforeUpdate?: boolean;
}

/** OCI LinuxCPU. 0 or absent means "not set", except burst and idle, where 0 is a value. */
export interface LinuxCPU {
  shares?: number;
  quota?: number;
  burst?: number;
  period?: number;
  realtimeRuntime?: number;
  realtimePeriod?: number;
  cpus?: string;
  mems?: string;
  idle?: number;
}

export interface LinuxPids {
  /** 0 or absent: not set; negative: unlimited ("max"). */
  limit?: number;
}

export interface LinuxWeightDevice {
  major: number;
  minor: number;
  weight?: number;
  leafWeight?: number;
}

export interface LinuxThrottleDevice {
  major: number;
  minor: number;
  rate: number;
}

export interface LinuxBlockIO {
  weight?: number;
  leafWeight?: number;
  weightDevice?: LinuxWeightDevice[];
  throttleReadBpsDevice?: LinuxThrottleDevice[];
  throttleWriteBpsDevice?: LinuxThrottleDevice[];
  throttleReadIOPSDevice?: LinuxThrottleDevice[];
  throttleWriteIOPSDevice?: LinuxThrottleDevice[];
}

export interface LinuxHugepageLimit {
  /** "2MB", "1GB", "64KB" ... as the kernel names hugetlb files. */
  pageSize: string;
  limit: number;
}

export interface LinuxInterfacePriority {
  name: string;
  priority: number;
}

export interface LinuxNetwork {
  classID?: number;
  priorities?: LinuxInterfacePriority[];
}

export interface LinuxRdma {
  hcaHandles?: number;
  hcaObjects?: number;
}

/**
 * OCI linux.resources, as checkResources() returns it: every member typed,
 * null turned into absent. Unknown non-empty members are refused there.
 */
export interface LinuxResources {
  devices?: LinuxDeviceCgroup[];
  memory?: LinuxMemory;
  cpu?: LinuxCPU;
  pids?: LinuxPids;
  blockIO?: LinuxBlockIO;
  hugepageLimits?: LinuxHugepageLimit[];
  network?: LinuxNetwork;
  rdma?: Record<string, LinuxRdma>;
  /** Raw cgroup v2 files: name → value (refused on v1 and hybrid). */
  unified?: Record<string, string>;
}

/** One hierarchy the container has a directory in. */
export interface CgroupHierarchyState {
  /**
   * Controllers bound to this hierarchy as the kernel names them, sorted:
   * ["cpu", "cpuacct"], ["devices"], ["name=systemd"]. Empty for a cgroup2
   * (unified) hierarchy.
   */
  controllers: string[];
  /** True for the cgroup2 hierarchy (v2 mode, or the unified mount in hybrid). */
  unified: boolean;
  /** Where this hierarchy is mounted on the host, e.g. /sys/fs/cgroup/memory. */
  mountpoint: string;
  /** The container's cgroup as the kernel names it in /proc/<pid>/cgroup, e.g. /abc or /process_api/x/abc. */
  path: string;
  /** The container's cgroup directory on the host, e.g. /sys/fs/cgroup/memory/abc. */
  dir: string;
  /**
   * The directory create() starts from and never removes: the mountpoint for
   * an absolute cgroupsPath, the runtime's own cgroup for a relative one.
   */
  base: string;
  /** Directories create() made (shallowest first); destroy() removes only these. */
  created: string[];
}

/** What state.json stores to rebuild the manager in a later process. */
export interface CgroupState {
  version: 1;
  mode: CgroupMode;
  /** Root of the cgroup filesystems, /sys/fs/cgroup unless injected (tests). */
  root: string;
  /** The cgroupsPath as resolved: absolute "/a/b", or relative "a/b" (by default "<id>"). */
  cgroupsPath: string;
  hierarchies: CgroupHierarchyState[];
  /**
   * The resources apply() has written so far, merged (devices left out): what
   * `update` starts from, as runc keeps them in its container config.
   */
  resources?: LinuxResources;
}

/** Freezer state as runc names it; "unsupported" when the host has no freezer. */
export type FreezerState = "THAWED" | "FROZEN" | "FREEZING" | "unsupported";

/** The cgroup.procs files of a cgroup, open (CgroupManager.openJoin). */
export interface CgroupJoin {
  join(pid: number): void;
  /** Idempotent. */
  close(): void;
}

export interface CgroupManager {
  readonly mode: CgroupMode;
  /**
   * Create the container's cgroup directories: every mounted v1 hierarchy
   * (named ones included) plus the unified one in hybrid, or the v2 directory.
   * In the v1 cpuset hierarchy each new level gets its parent's cpus and mems;
   * in v2 the parents get the host's controllers in cgroup.subtree_control.
   */
  create(): void;
  /** Move a process into the cgroup (cgroup.procs of every hierarchy). */
  join(pid: number): void;
  /**
   * join() in two halves: every cgroup.procs opened now, the process moved
   * in later with one write per hierarchy (create opens them while
   * runts-init clones the container process). Close it when done.
   */
  openJoin(): CgroupJoin;
  /**
   * Apply OCI linux.resources. Everything is checked before anything is
   * written: the shape, and that every non-empty value has a controller here
   * (an error names the controller). 0/absent values are "not set" and leave
   * the kernel's value alone, as with runc. Applied values are remembered in
   * toState().resources (devices excepted).
   */
  apply(resources: unknown): void;
  /**
   * `update`: merge `resources` into what was applied before, the way runc
   * update does (only what is given changes; devices are never touched),
   * and apply the result.
   */
  update(resources: LinuxResources): void;
  /** Host pids in the cgroup and its sub-cgroups; [] when it does not exist. */
  pids(): number[];
  /** Does the container's cgroup directory exist (in any hierarchy). */
  exists(): boolean;
  /** Freeze (pause) or thaw (resume) every process, waiting until the kernel is done. */
  freeze(frozen: boolean): void;
  /** Current freezer state. */
  freezerState(): FreezerState;
  /**
   * SIGKILL every process in the cgroup at once through cgroup.kill (v2, or
   * the unified hierarchy in hybrid). False when the kernel has no cgroup.kill.
   */
  killAll(): boolean;
  /** Resource usage, runc's `events --stats` shape (see stats.ts). */
  stats(): CgroupStats;
  /** How many processes the OOM killer killed in the cgroup; undefined without a memory controller. */
  oomKillCount(): number | undefined;
  /**
   * Remove the directories create() made, deepest first (sub-cgroups of the
   * container's own directory included), retrying EBUSY for about a second.
   */
  destroy(): void;
  /** Serializable description for state.json; see cgroupManagerFromState. */
  toState(): CgroupState;
}

/**
 * Where to find the cgroup filesystems and what to believe about the host.
 * Everything defaults to the real host; tests point it at scratch trees.
 */
export interface CgroupEnv {
  /** Root of the cgroup filesystems; default /sys/fs/cgroup. */
  root?: string;
  /** Force the mode instead of statfs(root) (scratch trees are not cgroupfs). */
  mode?: CgroupMode;
  /** Text of /proc/self/mountinfo to use instead of reading it. */
  mountinfo?: string;
  /** Text of /proc/self/cgroup to use instead of reading it. */
  procSelfCgroup?: string;
}

export interface CgroupManagerOptions {
  /** Container id; names the default cgroup, <id> under the runtime's own. */
  id: string;
  /** OCI linux.cgroupsPath: absolute, or relative to the runtime's own cgroup. */
  cgroupsPath?: string;
  /** --systemd-cgroup: refused, this runtime has no systemd driver. */
  systemd?: boolean;
  /** Injection for tests; the real host when absent. */
  env?: CgroupEnv;
}

export const DEFAULT_CGROUP_ROOT = "/sys/fs/cgroup";

/** statfs magic numbers of what may be mounted at the cgroup root. */
export const CGROUP2_SUPER_MAGIC = 0x63677270;
export const TMPFS_MAGIC = 0x01021994;
/** Pre-v1 cgroupfs magic, for a root that is itself a v1 hierarchy. */
export const CGROUP_SUPER_MAGIC = 0x27e0eb;
