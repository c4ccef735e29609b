/** runts kill ID [SIGNAL]: signal the init (default SIGTERM), or every process with --all. */
import { killArgs, parseSignal, type ParsedCommandLine } from "../cli/args.js";
import { killContainer } from "../container/kill.js";
import { StateDir } from "../container/state.js";

export async function run(cmd: ParsedCommandLine): Promise<number> {
  const a = killArgs(cmd);
  await killContainer(new StateDir(cmd.global.root, a.id), parseSignal(a.signal), a.all);
  return 0;
}
