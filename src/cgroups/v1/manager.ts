/**
 * cgroup v1 manager, also used in hybrid mode: the container gets a directory
 * in every mounted v1 hierarchy (named ones such as name=systemd included,
 * comounted ones such as cpu,cpuacct once) and, in hybrid, in the unified
 * cgroup2 hierarchy too, which has no controllers but tracks processes.
 */
import { RuntsError } from "../../errors.js";
import { HierarchyManager } from "../base.js";
import type { CgroupHierarchyState, CgroupState } from "../common.js";
import type { CgroupHost } from "../detect.js";
import type { CgroupPath } from "../paths.js";
import { resolveInHierarchy } from "../paths.js";
import { checkResources } from "../resources.js";
import type { V1Controller } from "./controller.js";
import { cpusetController } from "./cpuset.js";
import { devicesController } from "./devices.js";

/** Every v1 controller this build knows, in the order apply() runs them. */
export const V1_CONTROLLERS: readonly V1Controller[] = [cpusetController, devicesController];

const HANDLED = new Set(V1_CONTROLLERS.flatMap((c) => c.handles));

/** pids() reads the first of these that is mounted (they list every task). */
const PIDS_PREFERENCE = ["pids", "freezer", "memory"];

export class V1Manager extends HierarchyManager {
  constructor(state: CgroupState) {
    super(state);
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
    return new V1Manager({ version: 1, mode, root: host.root, cgroupsPath: p.path, hierarchies });
  }

  private hierarchyOf(subsystem: string): CgroupHierarchyState | undefined {
    return this.hierarchies.find((h) => !h.unified && h.controllers.includes(subsystem));
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

  apply(resources: unknown): void {
    const r = checkResources(resources, HANDLED);
    // Find every controller's directory before writing anything.
    const work: Array<[V1Controller, string]> = [];
    for (const c of V1_CONTROLLERS) {
      if (!c.apply || !(c.needed?.(r) ?? true)) continue;
      const h = this.hierarchyOf(c.subsystem);
      if (!h) {
        throw new RuntsError(
          `linux.resources.${c.handles.join("/")} needs the ${c.subsystem} cgroup controller, which is not mounted`,
          { step: "cgroup apply", path: this.root },
        );
      }
      work.push([c, h.dir]);
    }
    for (const [c, dir] of work) c.apply?.(dir, r);
  }
}
