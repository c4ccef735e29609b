/**
 * Deleting a container: whatever state it is in (with force), kill what is
 * left of it, remove its cgroup and its state dir. Nothing remains on the host.
 */
import { type CgroupManager, cgroupManagerFromState } from "../cgroups/index.js";
import { SIGKILL } from "../signals.js";
import { RuntsError } from "../errors.js";
import { mark } from "../timing.js";
import { signalAll } from "./kill.js";
import { type SavedState, StateDir, deriveStatus, initAlive, procStat } from "./state.js";

export async function deleteContainer(dir: StateDir, force: boolean): Promise<void> {
  if (!dir.exists()) {
    if (force) return;
    throw new RuntsError("container does not exist", { container: dir.id });
  }
  await dir.locked(async () => {
    const state = dir.read();
    if (!state) {
      // A create that died half-way (we hold its lock: it is not running). What
      // it staged names its cgroup and, once cloned, its process.
      if (!force) throw new RuntsError(`cannot delete container ${dir.id} that is not stopped: creating`, { container: dir.id });
      const staged = dir.stagedState();
      if (staged) await destroy(dir, staged, false);
      else dir.remove();
      return;
    }
    const status = deriveStatus(dir, state);
    if ((status === "running" || status === "paused") && !force) {
      throw new RuntsError(`cannot delete container ${dir.id} that is not stopped: ${status}`, { container: dir.id });
    }
    await destroy(dir, state);
  });
}

/**
 * Kill the init and every leftover process, then remove cgroup and state;
 * then the poststop hooks, unless the container was never created.
 */
export async function destroy(dir: StateDir, state: SavedState, created = true): Promise<void> {
  const cgroup = cgroupManagerFromState(state.cgroup);
  // The usual case, an exited init and an empty cgroup, has nothing to kill or wait for.
  if (initAlive(state) || cgroup.pids().length > 0) await killAll(state, cgroup);
  mark("container gone");
  cgroup.destroy();
  mark("cgroup removed");
  dir.remove();
  if (created && state.hooks?.poststop?.length) {
    const { hookState, runHooksLogged } = await import("./hooks.js");
    await runHooksLogged("poststop", state.hooks.poststop, hookState(state, "stopped"));
  }
}

async function killAll(state: SavedState, cgroup: CgroupManager): Promise<void> {
  if (initAlive(state)) {
    try {
      process.kill(state.pid, SIGKILL);
    } catch {
      // gone already
    }
  }
  signalAll(cgroup, SIGKILL);
  await waitGone(state);
  // Zombies stay listed until their parent reaps them (an exec'd process's
  // parent may be a slow host init): only live processes are worth waiting for.
  const live = () => cgroup.pids().filter((p) => (procStat(p)?.state ?? "Z") !== "Z");
  for (let i = 0; i < 100 && live().length > 0; i++) {
    signalAll(cgroup, SIGKILL);
    await sleep(10);
  }
}

/** Wait (bounded) until the init is dead: a zombie or gone. We may not be its parent. */
async function waitGone(state: SavedState): Promise<void> {
  for (let i = 0; i < 1000 && initAlive(state); i++) await sleep(i < 20 ? 1 : 10);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
