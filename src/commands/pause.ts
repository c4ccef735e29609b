/** runts pause ID: freeze every process of the container. */
import type { ParsedCommandLine } from "../cli/args.js";
import { idArgs } from "../cli/engine-args.js";
import { pauseContainer } from "../container/pause.js";
import { StateDir } from "../container/state.js";

export async function run(cmd: ParsedCommandLine): Promise<number> {
  await pauseContainer(new StateDir(cmd.global.root, idArgs(cmd).id));
  return 0;
}
