/**
 * cgroup v1 manager, also used in hybrid mode: the container gets a directory
 * in every mounted v1 hierarchy (named ones such as name=systemd included,
 * comounted ones such as cpu,cpuacct once) and, in hybrid, in the unified
 * cgroup2 hierarchy too, which tracks processes, freezes and kills (when
 * there is no v1 freezer / for SIGKILL), and carries the controllers the
 * host offers only there (e.g. hugetlb): those are applied through their v2
 * files, after enabling them down the path.
 */
import { RuntsError } from "../../errors.js";
import { HierarchyManager } from "../base.js";
import type { CgroupHierarchyState, CgroupState, LinuxResources } from "../common.js";
import type { CgroupHost } from "../detect.js";
import type { CgroupPath } from "../paths.js";
import { resolveInHierarchy } from "../paths.js";
import type { CgroupStats } from "../stats.js";
import { emptyStats } from "../stats.js";
import type { V2Controller } from "../v2/controller.js";
import { enableControllers, hostControllers } from "../v2/subtree.js";
import { blkioController } from "./blkio.js";
import type { V1Controller } from "./controller.js";
import { cpuController } from "./cpu.js";
import { cpuacctController } from "./cpuacct.js";
import { cpusetController } from "./cpuset.js";
import { devicesController } from "./devices.js";
import { hugetlbController } from "./hugetlb.js";
import { memoryController, oomKillCountV1 } from "./memory.js";
import { netClsController } from "./net_cls.js";
import { netPrioController } from "./net_prio.js";
import { pidsController } from "./pids.js";
import { rdmaController } from "./rdma.js";
import { oomKillCountV2 } from "../v2/memory.js";

/** Every v1 controller this build knows, in the order apply() runs them (runc's). */
export const V1_CONTROLLERS: readonly V1Controller[] = [
  cpusetController,
  devicesController,
  memoryController,
  cpuController,
  cpuacctController,
  pidsController,
  blkioController,
  hugetlbController,
  netClsController,
  netPrioController,
  rdmaController,
];

/** pids() reads the first of these that is mounted (they list every task). */
const PIDS_PREFERENCE = ["pids", "freezer", "memory"];

type Work = { v1: V1Controller; dir: string } | { v2: V2Controller; dir: string; unified: CgroupHierarchyState };

export class V1Manager extends HierarchyManager {
  /** The controllers the unified hierarchy offers (hybrid), once read. */
  private offered: Set<string> | undefined;

  constructor(state: CgroupState, fresh = false) {
    super(state, fresh);
  }

  /** Place `p` in every cgroup hierarchy the host has mounted. */
  static forPath(host: CgroupHost, p: CgroupPath, mode: "v1" | "hybrid"): V1Manager {
    const found = host.hierarchies();
    if (!found.some((h) => !h.unified)) {
      throw new RuntsError(`no cgroup v1 hierarchy is mounted under ${host.root}`, {
        step: "cgroup detect",
        path: host.root,
      });
    }
    const hierarchies: CgroupHierarchyState[] = [];
    for (const h of found) {
      if (h.unified && mode === "v1") continue;
      const r = resolveInHierarchy(p, h, host);
      hierarchies.push({
        controllers: [...h.controllers],
        unified: h.unified,
        mountpoint: h.mountpoint,
        path: r.path,
        dir: r.dir,
        base: r.base,
        created: [],
      });
    }
    return new V1Manager({ version: 1, mode, root: host.root, cgroupsPath: p.path, hierarchies }, p.fresh === true);
  }

  private hierarchyOf(subsystem: string): CgroupHierarchyState | undefined {
    return this.hierarchies.find((h) => !h.unified && h.controllers.includes(subsystem));
  }

  private unified(): CgroupHierarchyState | undefined {
    return this.hierarchies.find((h) => h.unified);
  }

  protected override afterCreate(h: CgroupHierarchyState): void {
    for (const c of V1_CONTROLLERS) {
      if (c.created && !h.unified && h.controllers.includes(c.subsystem)) c.created(h.dir, h.mountpoint);
    }
  }

  protected pidsHierarchy(): CgroupHierarchyState {
    for (const name of PIDS_PREFERENCE) {
      const h = this.hierarchyOf(name);
      if (h) return h;
    }
    const h = this.hierarchies.find((x) => !x.unified) ?? this.hierarchies[0];
    if (!h) throw new RuntsError("the container has no cgroup hierarchy", { step: "cgroup pids" });
    return h;
  }

  /** Where each controller applies: its v1 hierarchy, or the unified one in hybrid. */
  private plan(r: LinuxResources | undefined): Work[] {
    const work: Work[] = [];
    const u = this.unified();
    // Read once per manager: create applies its limits in two calls.
    const offered = u ? (this.offered ??= hostControllers(u.mountpoint)) : new Set<string>();
    for (const c of V1_CONTROLLERS) {
      const h = this.hierarchyOf(c.subsystem);
      if (h) {
        work.push({ v1: c, dir: h.dir });
        continue;
      }
      if (u && c.v2 && offered.has(c.v2.name)) {
        work.push({ v2: c.v2, dir: u.dir, unified: u });
        continue;
      }
      const field = r ? c.nonDefault?.(r) : undefined;
      if (field !== undefined) {
        throw new RuntsError(
          `linux.resources.${field} needs the ${c.subsystem} cgroup controller, which is not mounted on this host`,
          { step: "cgroup apply", path: this.root },
        );
      }
    }
    return work;
  }

  protected write(r: LinuxResources): void {
    if (r.unified && Object.keys(r.unified).length > 0) {
      throw new RuntsError(
        `linux.resources.unified needs cgroup v2, but this host runs cgroup ${this.mode === "hybrid" ? "v1 (hybrid)" : "v1"}`,
        { step: "cgroup apply", path: this.root },
      );
    }
    // Find every controller's directory and check every value before writing anything.
    const work = this.plan(r);
    for (const w of work) {
      if ("v1" in w) w.v1.check?.(r);
      else w.v2.check?.(r, new Set([w.v2.name]));
    }
    for (const w of work) {
      if ("v1" in w) {
        w.v1.apply?.(w.dir, r);
      } else if (w.v2.nonDefault(r) !== undefined) {
        // Only when needed: enabling a controller changes the shared parents.
        enableControllers(w.unified.mountpoint, w.dir, [w.v2.name]);
        w.v2.apply(w.dir, r, new Set([w.v2.name]));
      }
    }
  }

  stats(): CgroupStats {
    const s = emptyStats();
    for (const w of this.plan(undefined)) {
      if ("v1" in w) w.v1.stats?.(w.dir, s);
      else w.v2.stats?.(w.dir, s);
    }
    return s;
  }

  oomKillCount(): number | undefined {
    const h = this.hierarchyOf("memory");
    if (h) return oomKillCountV1(h.dir);
    const u = this.unified();
    return u ? oomKillCountV2(u.dir) : undefined;
  }
}
