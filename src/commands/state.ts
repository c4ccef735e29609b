/** runts state: the OCI state of one container, as runc prints it. */
import type { ParsedCommandLine } from "../cli/args.js";
import { idArgs } from "../cli/engine-args.js";
import { formatState } from "../cli/format.js";
import { StateDir, deriveStatus } from "../container/state.js";
import { stdout } from "../output.js";

export async function run(cmd: ParsedCommandLine): Promise<number> {
  const dir = new StateDir(cmd.global.root, idArgs(cmd).id);
  const s = dir.load();
  stdout(formatState({ ...s, status: deriveStatus(dir, s) }));
  return 0;
}
