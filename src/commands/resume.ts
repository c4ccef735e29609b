/** runts resume ID: thaw a paused container. */
import type { ParsedCommandLine } from "../cli/args.js";
import { idArgs } from "../cli/engine-args.js";
import { resumeContainer } from "../container/pause.js";
import { StateDir } from "../container/state.js";

export async function run(cmd: ParsedCommandLine): Promise<number> {
  await resumeContainer(new StateDir(cmd.global.root, idArgs(cmd).id));
  return 0;
}
