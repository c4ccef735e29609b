/**
 * runts run: create and start in one call. In the foreground it forwards
 * signals to the container, relays its terminal when it has one and no
 * console socket, waits for it, deletes it (unless --keep) and exits with
 * its exit code (128+signal when killed).
 */
import { closeSync } from "node:fs";
import { runArgs, type ParsedCommandLine } from "../cli/args.js";
import { createContainer, type Created } from "../container/create.js";
import { destroy } from "../container/delete.js";
import { afterStart, release } from "../container/start.js";
import { setWindowSize, waitChild } from "../sys/libc.js";
import { mark } from "../timing.js";

const FORWARDED: NodeJS.Signals[] = ["SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2"];

export async function run(cmd: ParsedCommandLine): Promise<number> {
  const a = runArgs(cmd);
  const created = await createContainer({
    root: cmd.global.root,
    id: a.id,
    bundle: a.bundle,
    noPivot: a.noPivot,
    noNewKeyring: a.noNewKeyring,
    preserveFds: a.preserveFds,
    systemdCgroup: cmd.global.systemdCgroup,
    detached: a.detach,
    ...(a.consoleSocket ? { consoleSocket: a.consoleSocket } : {}),
    ...(a.pidFile ? { pidFile: a.pidFile } : {}),
  });
  const { dir, state } = created;
  try {
    await dir.locked(() => release(dir));
  } catch (err) {
    await destroy(dir, state);
    throw err;
  }
  mark("started");
  await afterStart(dir);
  if (a.detach) {
    if (created.ptyMaster !== undefined) closeSync(created.ptyMaster);
    return 0;
  }
  const pid = state.pid;
  const forward = (sig: NodeJS.Signals) => {
    try {
      process.kill(pid, sig);
    } catch {
      // exited
    }
  };
  for (const sig of FORWARDED) process.on(sig, forward);
  const relay = created.ptyMaster !== undefined ? await relayTerminal(created) : undefined;
  const result = await waitChild(pid);
  mark("container exited");
  await relay?.done;
  for (const sig of FORWARDED) process.off(sig, forward);
  if (!a.keep) await destroy(dir, state);
  return result.code;
}

/** Copy between our stdio and the container's pty until it closes. */
async function relayTerminal(created: Created): Promise<{ done: Promise<void> }> {
  // node:tty is costly to load: only a foreground run with a terminal pays for it.
  const { ReadStream, WriteStream } = await import("node:tty");
  const master = created.ptyMaster as number;
  const input = new ReadStream(master);
  const output = new WriteStream(master);
  const stdin = process.stdin;
  if (stdin.isTTY) stdin.setRawMode(true);
  // The container's terminal takes the size of ours, now and on every SIGWINCH.
  const resize = () => {
    const out = process.stdout;
    if (out.isTTY) setWindowSize(master, out.rows, out.columns);
  };
  resize();
  process.on("SIGWINCH", resize);
  stdin.pipe(output);
  input.pipe(process.stdout, { end: false });
  const done = new Promise<void>((resolve) => {
    const finish = () => {
      process.off("SIGWINCH", resize);
      stdin.unpipe(output);
      if (stdin.isTTY) stdin.setRawMode(false);
      stdin.pause();
      input.destroy();
      output.destroy();
      resolve();
    };
    input.on("end", finish);
    input.on("error", finish); // EIO once the last slave fd closes
    input.on("close", finish);
  });
  return { done };
}
