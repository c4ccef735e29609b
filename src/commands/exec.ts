/**
 * runts exec ID CMD...: run a process in a running container; in the
 * foreground its exit code is ours, with -d we return once it runs. Errors
 * exit 255, as runc's.
 */
import { closeSync } from "node:fs";
import { execArgs, type ParsedCommandLine } from "../cli/args.js";
import { execInContainer } from "../container/exec.js";
import { foreground } from "../container/foreground.js";
import { StateDir } from "../container/state.js";
import { RuntsError } from "../errors.js";

export async function run(cmd: ParsedCommandLine): Promise<number> {
  const a = execArgs(cmd);
  let execed;
  try {
    execed = await execInContainer(new StateDir(cmd.global.root, a.id), a);
  } catch (err) {
    if (err instanceof RuntsError) throw new RuntsError(`exec failed: ${err.toLine()}`, { container: a.id }, 255);
    throw err;
  }
  if (a.detach) {
    if (execed.ptyMaster !== undefined) closeSync(execed.ptyMaster);
    return 0;
  }
  return (await foreground(execed.pid, execed.ptyMaster)).code;
}
