/** runts list: every container under --root, as a table, ids, or JSON. */
import { statSync } from "node:fs";
import { listArgs, type ParsedCommandLine } from "../cli/args.js";
import { type ContainerListItem, formatList } from "../cli/format.js";
import { StateDir, deriveStatus, listIds } from "../container/state.js";
import { stdout } from "../output.js";

export async function run(cmd: ParsedCommandLine): Promise<number> {
  const a = listArgs(cmd);
  const items: ContainerListItem[] = [];
  for (const id of listIds(cmd.global.root)) {
    let dir: StateDir;
    try {
      dir = new StateDir(cmd.global.root, id);
    } catch {
      continue; // not a container directory
    }
    const s = dir.read();
    if (!s) continue; // still being created
    items.push({ ...s, status: deriveStatus(dir, s), owner: ownerOf(dir.dir) });
  }
  stdout(formatList(items, a.format, a.quiet));
  return 0;
}

/** runc shows the user owning the state dir; only root creates containers here. */
function ownerOf(path: string): string {
  const uid = statSync(path).uid;
  return uid === 0 ? "root" : `#${uid}`;
}
