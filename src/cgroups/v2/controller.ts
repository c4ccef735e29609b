/**
 * A cgroup v2 controller: the linux.resources members it writes into the
 * container's directory of the unified hierarchy, the kernel controller the
 * parents must enable in cgroup.subtree_control for its files to exist, and
 * the stats it reads.
 */
import type { LinuxResources } from "../common.js";
import type { CgroupStats } from "../stats.js";

export interface V2Controller {
  /**
   * Kernel controller name in cgroup.controllers ("memory", "io" ...), or ""
   * for what needs none (devices is eBPF, unified names its own files).
   */
  readonly name: string;
  /** The first resource field this controller would set to a non-default value, or undefined. */
  nonDefault(r: LinuxResources): string | undefined;
  /** Refuse values this controller can never take, before anything is written. */
  check?(r: LinuxResources, available: ReadonlySet<string>): void;
  /** Apply the (already validated) resources to the container's directory. */
  apply(dir: string, r: LinuxResources, available: ReadonlySet<string>): void;
  /** Add this controller's usage to `s`. */
  stats?(dir: string, s: CgroupStats): void;
}
