/**
 * A cgroup v2 controller: the linux.resources members it writes into the
 * container's directory of the unified hierarchy. Later controllers (memory,
 * cpu, io, pids ...) also name the kernel controller to enable in the
 * parents' cgroup.subtree_control.
 */
import type { LinuxResources } from "../common.js";

export interface V2Controller {
  /** Kernel controller name in cgroup.controllers, or "" for none (devices is eBPF). */
  readonly name: string;
  /** linux.resources members this controller handles. */
  readonly handles: readonly string[];
  /** Would apply() write anything for these resources? */
  needed(resources: LinuxResources): boolean;
  /** Apply the (already validated) resources to the container's directory. */
  apply(dir: string, resources: LinuxResources): void;
}
