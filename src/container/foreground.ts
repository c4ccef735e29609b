/**
 * A process runts waits for in the foreground (run, exec without -d):
 * signals to runts go to it, its terminal (when runts holds the pty master)
 * is relayed to runts' stdio, and its exit status becomes runts' exit code.
 */
import { makeRaw, setWindowSize, waitChild, type WaitResult } from "../sys/libc.js";

const FORWARDED: NodeJS.Signals[] = ["SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2"];

export async function foreground(pid: number, ptyMaster?: number): Promise<WaitResult> {
  const forward = (sig: NodeJS.Signals) => {
    try {
      process.kill(pid, sig);
    } catch {
      // exited
    }
  };
  for (const sig of FORWARDED) process.on(sig, forward);
  try {
    const relay = ptyMaster !== undefined ? await relayTerminal(ptyMaster) : undefined;
    const result = await waitChild(pid);
    await relay;
    return result;
  } finally {
    for (const sig of FORWARDED) process.off(sig, forward);
  }
}

/** Copy between our stdio and the pty until it closes; resolves when the copying is over. */
async function relayTerminal(master: number): Promise<Promise<void>> {
  // Plain fs streams: a tty stream would treat the master as a terminal of ours.
  const { createReadStream, createWriteStream } = await import("node:fs");
  // The read side owns the master and closes it when destroyed.
  const input = createReadStream("", { fd: master, autoClose: true, highWaterMark: 4096 });
  const output = createWriteStream("", { fd: master, autoClose: false });
  const stdin = process.stdin;
  const restore = stdin.isTTY ? makeRaw(0) : () => undefined;
  // The container's terminal takes the size of ours, now and on every SIGWINCH.
  const resize = () => {
    const out = process.stdout;
    if (out.isTTY) setWindowSize(master, out.rows, out.columns);
  };
  resize();
  process.on("SIGWINCH", resize);
  stdin.pipe(output);
  input.pipe(process.stdout, { end: false });
  return new Promise<void>((resolve) => {
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      process.off("SIGWINCH", resize);
      stdin.unpipe(output);
      restore();
      stdin.pause();
      output.destroy();
      input.destroy();
      // runts exits right after: let what is queued for our stdout go out first
      // (bounded, should a runtime never call back for an empty write).
      const timer = setTimeout(resolve, 500);
      process.stdout.write("", () => {
        clearTimeout(timer);
        resolve();
      });
    };
    input.on("end", finish);
    input.on("error", finish); // EIO once the last slave fd closes
    input.on("close", finish);
    output.on("error", finish);
  });
}
