/**
 * runts run: create and start in one call. In the foreground it waits for
 * the container (see foreground.ts), deletes it (unless --keep) and exits
 * with its exit code (128+signal when killed).
 */
import { closeSync } from "node:fs";
import type { ParsedCommandLine } from "../cli/args.js";
import { runArgs } from "../cli/flags.js";
import { createContainer } from "../container/create.js";
import { createOptions } from "./create.js";
import { destroy } from "../container/delete.js";
import { afterStart, release } from "../container/start.js";
import { foreground } from "../container/foreground.js";
import { mark } from "../timing.js";
import { becomeSubreaper, initLibc } from "../sys/libc.js";

export async function run(cmd: ParsedCommandLine): Promise<number> {
  const a = runArgs(cmd);
  if (!a.detach && !a.noSubreaper) {
    // As runc: orphans of the container come to us rather than to the host's init.
    await initLibc();
    becomeSubreaper();
  }
  const created = await createContainer(createOptions(cmd, a, a.detach));
  const { dir, state } = created;
  try {
    await dir.locked(() => release(dir, state));
  } catch (err) {
    await destroy(dir, state);
    throw err;
  }
  mark("started");
  await afterStart(state);
  if (a.detach) {
    if (created.ptyMaster !== undefined) closeSync(created.ptyMaster);
    return 0;
  }
  const result = await foreground(state.pid, created.ptyMaster);
  mark("container exited");
  if (!a.keep) await destroy(dir, state);
  return result.code;
}
