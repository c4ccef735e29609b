/**
 * Pausing and resuming a container: freeze or thaw every process of its
 * cgroup (v1 freezer.state, v2 cgroup.freeze), waiting until the kernel is
 * done. `state` then reports "paused", derived from the freezer.
 */
import { cgroupManagerFromState } from "../cgroups/index.js";
import { RuntsError } from "../errors.js";
import { StateDir, deriveStatus } from "./state.js";

export async function pauseContainer(dir: StateDir): Promise<void> {
  await dir.locked(() => {
    const state = dir.load();
    const status = deriveStatus(dir, state);
    // runc pauses created containers too.
    if (status !== "running" && status !== "created") throw new RuntsError("container not running", { container: dir.id });
    cgroupManagerFromState(state.cgroup).freeze(true);
  });
}

export async function resumeContainer(dir: StateDir): Promise<void> {
  await dir.locked(() => {
    const state = dir.load();
    if (deriveStatus(dir, state) !== "paused") throw new RuntsError("container not paused", { container: dir.id });
    cgroupManagerFromState(state.cgroup).freeze(false);
  });
}
