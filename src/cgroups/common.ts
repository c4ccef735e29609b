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

/**
 * OCI linux.resources. Only `devices` is typed and applied for now; the other
 * members are accepted when empty and refused otherwise, until their
 * controllers exist.
 */
export interface LinuxResources {
  devices?: LinuxDeviceCgroup[];
  [name: string]: unknown;
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
  /** The container's cgroup as the kernel names it in /proc/<pid>/cgroup, e.g. /runts/abc. */
  path: string;
  /** The container's cgroup directory on the host, e.g. /sys/fs/cgroup/memory/runts/abc. */
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
  /** The cgroupsPath as resolved: "/runts/<id>" by default, or relative "a/b". */
  cgroupsPath: string;
  hierarchies: CgroupHierarchyState[];
}

export interface CgroupManager {
  readonly mode: CgroupMode;
  /**
   * Create the container's cgroup directories: every mounted v1 hierarchy
   * (named ones included) plus the unified one in hybrid, or the v2 directory.
   * In the v1 cpuset hierarchy each new level gets its parent's cpus and mems.
   */
  create(): void;
  /** Move a process into the cgroup (cgroup.procs of every hierarchy). */
  join(pid: number): void;
  /** Apply OCI linux.resources (only `devices` so far; anything else non-empty is refused). */
  apply(resources: unknown): void;
  /** Host pids in the cgroup and its sub-cgroups; [] when it does not exist. */
  pids(): number[];
  /** Does the container's cgroup directory exist (in any hierarchy). */
  exists(): boolean;
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
  /** Container id; names the default cgroup /runts/<id>. */
  id: string;
  /** OCI linux.cgroupsPath: absolute, or relative to the runtime's own cgroup. */
  cgroupsPath?: string;
  /** --systemd-cgroup: refused, this runtime has no systemd driver. */
  systemd?: boolean;
  /** Injection for tests; the real host when absent. */
  env?: CgroupEnv;
}

export const DEFAULT_CGROUP_ROOT = "/sys/fs/cgroup";
