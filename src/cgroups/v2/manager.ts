/**
 * cgroup v2 manager: one directory in the unified hierarchy mounted at the
 * cgroup root.
 */
import { RuntsError } from "../../errors.js";
import { HierarchyManager } from "../base.js";
import type { CgroupHierarchyState, CgroupState } from "../common.js";
import type { CgroupHost, Hierarchy } from "../detect.js";
import type { CgroupPath } from "../paths.js";
import { resolveInHierarchy } from "../paths.js";
import { checkResources } from "../resources.js";
import type { V2Controller } from "./controller.js";
import { devicesController } from "./devices.js";

/** Every v2 controller this build knows, in the order apply() runs them. */
export const V2_CONTROLLERS: readonly V2Controller[] = [devicesController];

const HANDLED = new Set(V2_CONTROLLERS.flatMap((c) => c.handles));

export class V2Manager extends HierarchyManager {
  constructor(state: CgroupState) {
    super(state);
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
    });
  }

  protected pidsHierarchy(): CgroupHierarchyState {
    const h = this.hierarchies[0];
    if (!h) throw new RuntsError("the container has no cgroup hierarchy", { step: "cgroup pids" });
    return h;
  }

  apply(resources: unknown): void {
    const r = checkResources(resources, HANDLED);
    const dir = this.pidsHierarchy().dir;
    for (const c of V2_CONTROLLERS) if (c.needed(r)) c.apply(dir, r);
  }
}
