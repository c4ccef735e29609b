/**
 * A v1 controller: one subsystem's directory in its hierarchy, the
 * linux.resources members it writes there and the stats it reads. The v1
 * manager applies each registered controller whose subsystem is mounted.
 */
import type { LinuxResources } from "../common.js";
import type { CgroupStats } from "../stats.js";
import type { V2Controller } from "../v2/controller.js";

export interface V1Controller {
  /** Kernel subsystem name, e.g. "devices", "cpuset". */
  readonly subsystem: string;
  /**
   * The first resource field (e.g. "memory.limit") this controller would set
   * to something other than the kernel's default, or undefined. A value the
   * host cannot take is an error only when this names it.
   */
  nonDefault?(r: LinuxResources): string | undefined;
  /** Refuse values this controller can never take, before anything is written. */
  check?(r: LinuxResources): void;
  /** Called after create() made or found the container's directory `dir`. */
  created?(dir: string, mountpoint: string): void;
  /** Apply the (already validated) resources; unset values are skipped. */
  apply?(dir: string, r: LinuxResources): void;
  /** Add this controller's usage to `s`. */
  stats?(dir: string, s: CgroupStats): void;
  /**
   * In hybrid mode, when this subsystem is not mounted as v1 but the unified
   * hierarchy offers the controller, this v2 controller does the job there.
   */
  readonly v2?: V2Controller;
}
