/**
 * runts state: the OCI state of one container, as runc prints it. The call
 * engines make most: it loads only the state readers (container/status.ts)
 * and state-json.ts.
 */
import type { ParsedCommandLine } from "../cli/args.js";
import { idArgs } from "../cli/engine-args.js";
import { formatState } from "../cli/state-json.js";
import { ContainerFiles, deriveStatus } from "../container/status.js";
import { stdout } from "../output.js";

export async function run(cmd: ParsedCommandLine): Promise<number> {
  const files = new ContainerFiles(cmd.global.root, idArgs(cmd).id);
  const s = files.load();
  stdout(formatState({ ...s, status: deriveStatus(files, s) }));
  return 0;
}
