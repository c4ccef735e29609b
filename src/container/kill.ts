/** Signalling a container's init, or with `all` every process in its cgroup. */
import { cgroupManagerFromState } from "../cgroups/index.js";
import { RuntsError } from "../errors.js";
import { type SavedState, StateDir, deriveStatus } from "./state.js";

export async function killContainer(dir: StateDir, signal: number, all: boolean): Promise<void> {
  const state = dir.load();
  const status = deriveStatus(dir, state);
  if (status === "stopped" && !all) throw new RuntsError("container not running", { container: dir.id });
  if (all) {
    signalAll(state, signal);
    return;
  }
  try {
    process.kill(state.pid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ESRCH") throw new RuntsError("container not running", { container: dir.id });
    throw err;
  }
}

/** Signal every process of the container's cgroup; returns how many were signalled. */
export function signalAll(state: SavedState, signal: number): number {
  const pids = cgroupManagerFromState(state.cgroup).pids();
  let n = 0;
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
      n++;
    } catch {
      // exited meanwhile
    }
  }
  return n;
}
