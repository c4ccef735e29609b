/** runts create: set a container up and leave its init waiting for `start`. */
import type { ParsedCommandLine } from "../cli/args.js";
import { createArgs, type CreateArgs } from "../cli/flags.js";
import { createContainer, type CreateOptions } from "../container/create.js";

export async function run(cmd: ParsedCommandLine): Promise<number> {
  await createContainer(createOptions(cmd, createArgs(cmd), true));
  return 0;
}

/** create's and run's flags as options of createContainer. */
export function createOptions(cmd: ParsedCommandLine, a: CreateArgs, detached: boolean): CreateOptions {
  return {
    root: cmd.global.root,
    id: a.id,
    bundle: a.bundle,
    noPivot: a.noPivot,
    noNewKeyring: a.noNewKeyring,
    preserveFds: a.preserveFds,
    systemdCgroup: cmd.global.systemdCgroup,
    detached,
    // createArgs leaves out a flag that was not given or given empty.
    consoleSocket: a.consoleSocket,
    pidfdSocket: a.pidfdSocket,
    pidFile: a.pidFile,
  };
}
