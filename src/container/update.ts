/**
 * `update`: change a container's resource limits. What is given is merged
 * into the resources the container has (kept in its saved cgroup state) the
 * way runc update does, and the result is applied; if the kernel refuses
 * part of it, the previous values are put back (as runc), and the error
 * stands. Device rules are never touched.
 */
import type { LinuxResources } from "../cgroups/index.js";
import { cgroupManagerFromState } from "../cgroups/index.js";
import { RuntsError } from "../errors.js";
import { StateDir, deriveStatus } from "./state.js";

export async function updateContainer(dir: StateDir, resources: LinuxResources): Promise<void> {
  await dir.locked(() => {
    const state = dir.load();
    if (deriveStatus(dir, state) === "stopped") throw new RuntsError("container not running", { container: dir.id });
    const m = cgroupManagerFromState(state.cgroup);
    try {
      m.update(resources);
    } catch (err) {
      try {
        cgroupManagerFromState(state.cgroup).update({});
      } catch {
        // what could be put back is back
      }
      if (err instanceof RuntsError && !err.context.container) {
        throw new RuntsError(err.message, { ...err.context, container: dir.id }, err.exitCode);
      }
      throw err;
    }
    dir.write({ ...state, cgroup: m.toState() });
  });
}
