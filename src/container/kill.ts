/** Signalling a container's init, or with `all` every process in its cgroup. */
import { type CgroupManager, cgroupManagerFromState } from "../cgroups/index.js";
import { SIGKILL } from "../signals.js";
import { RuntsError } from "../errors.js";
import { StateDir, deriveStatus } from "./state.js";

export async function killContainer(dir: StateDir, signal: number, all: boolean): Promise<void> {
  const state = dir.load();
  const status = deriveStatus(dir, state);
  if (status === "stopped" && !all) throw new RuntsError("container not running", { container: dir.id });
  if (all) {
    signalAll(cgroupManagerFromState(state.cgroup), signal);
    return;
  }
  try {
    process.kill(state.pid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ESRCH") throw new RuntsError("container not running", { container: dir.id });
    throw err;
  }
  // A frozen task does not die until it is thawed (v1): thaw for SIGKILL, as runc.
  if (status === "paused" && signal === SIGKILL) thawQuietly(cgroupManagerFromState(state.cgroup));
}

function thawQuietly(cg: CgroupManager): void {
  try {
    cg.freeze(false);
  } catch {
    // the cgroup is going away with its processes
  }
}

/**
 * Signal every process of the container's cgroup; returns how many there
 * were. SIGKILL goes through cgroup.kill where the kernel has it (v2, and the
 * unified hierarchy of a hybrid host), which no fork can escape. Otherwise,
 * as runc, the cgroup is frozen while the pids are listed and signalled, so
 * that no new process appears in between, then thawed, unless it was paused
 * before and the signal is not SIGKILL. Frozen processes are thawed after
 * SIGKILL so that they can die.
 */
export function signalAll(cg: CgroupManager, signal: number): number {
  // An empty cgroup cannot fork: nothing to freeze, signal or thaw (the usual case in delete).
  const pids = cg.pids();
  if (pids.length === 0) return 0;
  let wasFrozen = false;
  try {
    const f = cg.freezerState();
    wasFrozen = f === "FROZEN" || f === "FREEZING";
  } catch {
    // no freezer to ask
  }
  if (signal === SIGKILL && cg.killAll()) {
    if (wasFrozen) thawQuietly(cg);
    return pids.length;
  }
  let froze = false;
  if (!wasFrozen && cg.exists()) {
    try {
      cg.freeze(true);
      froze = true;
    } catch {
      // no freezer: signal them as they are
    }
  }
  let n = 0;
  try {
    for (const pid of cg.pids()) {
      try {
        process.kill(pid, signal);
        n++;
      } catch {
        // exited meanwhile
      }
    }
  } finally {
    if (froze || (wasFrozen && signal === SIGKILL)) thawQuietly(cg);
  }
  return n;
}
