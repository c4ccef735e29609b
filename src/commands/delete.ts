/** runts delete [--force] ID: remove a stopped (or, forced, any) container. */
import { deleteArgs, type ParsedCommandLine } from "../cli/args.js";
import { deleteContainer } from "../container/delete.js";
import { StateDir } from "../container/state.js";

export async function run(cmd: ParsedCommandLine): Promise<number> {
  const a = deleteArgs(cmd);
  await deleteContainer(new StateDir(cmd.global.root, a.id), a.force);
  return 0;
}
