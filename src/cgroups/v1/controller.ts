/**
 * A v1 controller: one subsystem's directory in its hierarchy, and the
 * linux.resources members it writes there. The v1 manager applies each
 * registered controller whose subsystem is mounted; adding memory, cpu, pids
 * ... later means adding a file and a registry entry, nothing else.
 */
import type { LinuxResources } from "../common.js";

export interface V1Controller {
  /** Kernel subsystem name, e.g. "devices", "cpuset". */
  readonly subsystem: string;
  /** linux.resources members this controller handles. */
  readonly handles: readonly string[];
  /** Called after create() made or found the container's directory `dir`. */
  created?(dir: string, mountpoint: string): void;
  /** Apply the (already validated) resources to the container's directory. */
  apply?(dir: string, resources: LinuxResources): void;
  /** Would apply() write anything for these resources? */
  needed?(resources: LinuxResources): boolean;
}
