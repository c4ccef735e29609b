/**
 * cgroup v2 manager: one directory in the unified hierarchy mounted at the
 * cgroup root. create() enables every controller the host offers on the way
 * down (as runc), apply() writes each controller's files in runc's order
 * (pids, memory, io, cpu, devices, cpuset, hugetlb, rdma, then the raw
 * `unified` files), after checking that every non-default value has its
 * controller here.
 */
import { RuntsError } from "../../errors.js";
import { HierarchyManager } from "../base.js";
import type { CgroupHierarchyState, CgroupState, LinuxResources } from "../common.js";
import type { CgroupHost, Hierarchy } from "../detect.js";
import type { CgroupPath } from "../paths.js";
import { resolveInHierarchy } from "../paths.js";
import type { CgroupStats } from "../stats.js";
import { emptyStats } from "../stats.js";
import type { V2Controller } from "./controller.js";
import { cpuV2 } from "./cpu.js";
import { cpusetV2 } from "./cpuset.js";
import { devicesController } from "./devices.js";
import { hugetlbV2 } from "./hugetlb.js";
import { ioV2 } from "./io.js";
import { memoryV2, oomKillCountV2 } from "./memory.js";
import { networkV2 } from "./network.js";
import { pidsV2 } from "./pids.js";
import { rdmaV2 } from "./rdma.js";
import { availableIn, enableControllers, hostControllers } from "./subtree.js";
import { unifiedV2 } from "./unified.js";

/** Every v2 controller this build knows, in the order apply() runs them. */
export const V2_CONTROLLERS: readonly V2Controller[] = [
  pidsV2,
  memoryV2,
  ioV2,
  cpuV2,
  devicesController,
  cpusetV2,
  hugetlbV2,
  rdmaV2,
  networkV2,
  unifiedV2,
];

export class V2Manager extends HierarchyManager {
  constructor(state: CgroupState, fresh = false) {
    super(state, fresh);
  }

  static forPath(host: CgroupHost, p: CgroupPath): V2Manager {
    // An absolute path needs nothing but the root; only a relative one needs
    // the mount's root and the runtime's own cgroup.
    let h: Hierarchy = { controllers: [], unified: true, mountpoint: host.root, mountRoot: "/" };
    if (p.relative) {
      h = host.hierarchies().find((x) => x.unified && x.mountpoint === host.root) ?? h;
    }
    const r = resolveInHierarchy(p, h, host);
    return new V2Manager({
      version: 1,
      mode: "v2",
      root: host.root,
      cgroupsPath: p.path,
      hierarchies: [
        { controllers: [], unified: true, mountpoint: h.mountpoint, path: r.path, dir: r.dir, base: r.base, created: [] },
      ],
    }, p.fresh === true);
  }

  private h(): CgroupHierarchyState {
    const h = this.hierarchies[0];
    if (!h) throw new RuntsError("the container has no cgroup hierarchy", { step: "cgroup" });
    return h;
  }

  protected pidsHierarchy(): CgroupHierarchyState {
    return this.h();
  }

  protected override afterCreate(h: CgroupHierarchyState): void {
    // Every controller the host has, so that limits and stats work later.
    enableControllers(h.mountpoint, h.dir, [...hostControllers(h.mountpoint)], false);
  }

  /** Controllers whose files the container's directory has. */
  private available(): Set<string> {
    const h = this.h();
    return availableIn(h.dir) ?? hostControllers(h.mountpoint);
  }

  protected write(r: LinuxResources): void {
    const h = this.h();
    const available = this.available();
    for (const c of V2_CONTROLLERS) {
      if (c.name !== "" && !available.has(c.name)) {
        const field = c.nonDefault(r);
        if (field !== undefined) {
          throw new RuntsError(
            `linux.resources.${field} needs the ${c.name} cgroup controller, which is not available here (cgroup.controllers of ${h.dir})`,
            { step: "cgroup apply", path: h.dir },
          );
        }
      }
      c.check?.(r, available);
    }
    for (const c of V2_CONTROLLERS) {
      if (c.name === "" || available.has(c.name)) c.apply(h.dir, r, available);
    }
  }

  stats(): CgroupStats {
    const s = emptyStats();
    const h = this.h();
    const available = this.available();
    for (const c of V2_CONTROLLERS) if (c.stats && available.has(c.name)) c.stats(h.dir, s);
    return s;
  }

  oomKillCount(): number | undefined {
    return oomKillCountV2(this.h().dir);
  }
}
