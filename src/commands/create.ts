/** runts create: set a container up and leave its init waiting for `start`. */
import { createArgs, type ParsedCommandLine } from "../cli/args.js";
import { createContainer } from "../container/create.js";

export async function run(cmd: ParsedCommandLine): Promise<number> {
  const a = createArgs(cmd);
  await createContainer({
    root: cmd.global.root,
    id: a.id,
    bundle: a.bundle,
    noPivot: a.noPivot,
    noNewKeyring: a.noNewKeyring,
    preserveFds: a.preserveFds,
    systemdCgroup: cmd.global.systemdCgroup,
    detached: true,
    ...(a.consoleSocket ? { consoleSocket: a.consoleSocket } : {}),
    ...(a.pidfdSocket ? { pidfdSocket: a.pidfdSocket } : {}),
    ...(a.pidFile ? { pidFile: a.pidFile } : {}),
  });
  return 0;
}
