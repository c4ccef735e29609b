/** runts start: let a created container's init exec the user process. */
import type { ParsedCommandLine } from "../cli/args.js";
import { idArgs } from "../cli/engine-args.js";
import { startContainer } from "../container/start.js";
import { StateDir } from "../container/state.js";

export async function run(cmd: ParsedCommandLine): Promise<number> {
  await startContainer(new StateDir(cmd.global.root, idArgs(cmd).id));
  return 0;
}
