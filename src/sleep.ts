/**
 * Block this thread for `ms` milliseconds (Atomics.wait on a cell nobody
 * wakes). A module of its own, and a function of its own: JavaScriptCore sets
 * up the globals a function names (Atomics, SharedArrayBuffer) when that
 * function first runs, so callers that only may sleep (output's EAGAIN retry)
 * do not pay for them.
 */
let cell: Int32Array | undefined;

export function sleepSync(ms: number): void {
  cell ??= new Int32Array(new SharedArrayBuffer(4));
  Atomics.wait(cell, 0, 0, ms);
}
