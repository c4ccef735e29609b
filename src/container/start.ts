/** Starting a created container: release its init through the exec fifo. */
import { closeSync, openSync, unlinkSync, writeSync, constants as fsc } from "node:fs";
import { RuntsError } from "../errors.js";
import { type SavedState, StateDir, deriveStatus } from "./state.js";

export async function startContainer(dir: StateDir): Promise<void> {
  const state = await dir.locked(() => {
    const s = dir.load();
    release(dir, s);
    return s;
  });
  await afterStart(state);
}

/** poststart hooks: failures are logged, the container keeps running. */
export async function afterStart(state: SavedState): Promise<void> {
  if (!state.hooks?.poststart?.length) return;
  const { hookState, runHooksLogged } = await import("./hooks.js");
  await runHooksLogged("poststart", state.hooks.poststart, hookState(state, "running"));
}

/** Write the byte the waiting init reads, then it execs the user process. */
export function release(dir: StateDir, state: SavedState): void {
  const status = deriveStatus(dir, state);
  if (status === "stopped") throw new RuntsError("cannot start a container that has stopped", { container: dir.id });
  if (status !== "created") throw new RuntsError(`cannot start an already ${status} container`, { container: dir.id });
  let fd: number;
  try {
    // Non-blocking: with no reader (the init died) this fails instead of hanging.
    fd = openSync(dir.fifo, fsc.O_WRONLY | fsc.O_NONBLOCK);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENXIO") {
      throw new RuntsError("cannot start a container that has stopped", { container: dir.id });
    }
    throw new RuntsError(`cannot open exec fifo: ${(err as Error).message}`, { container: dir.id, path: dir.fifo });
  }
  try {
    unlinkSync(dir.fifo);
    writeSync(fd, "0");
  } finally {
    closeSync(fd);
  }
}
