/**
 * User namespaces for idmapped mounts. Each one is held by a runts-init that
 * unshares a user namespace and waits; runts writes the mount's mappings into
 * it, and the container process opens /proc/<pid>/ns/user to idmap its mount.
 * Closing our end of the socket ends the holder.
 */
import { closeSync, writeFileSync } from "node:fs";
import { RuntsError } from "../errors.js";
import { CLONE } from "../plan/linux.js";
import { encodePlan, hex, step, type IdMap } from "../plan/plan.js";
import { reapNow, spawnProgram } from "../sys/libc.js";
import { Channel, shimSocketpair } from "./channel.js";

export interface UsernsHolder {
  /** /proc/<pid>/ns/user of the holder. */
  path: string;
  release(): void;
}

const mapText = (maps: IdMap[]) => maps.map((m) => `${m.containerID} ${m.hostID} ${m.size}\n`).join("");

export async function holdUserns(shim: string, uidMappings: IdMap[], gidMappings: IdMap[]): Promise<UsernsHolder> {
  const { ours, theirs } = shimSocketpair(3);
  const channel = new Channel(ours);
  let pid = 0;
  const release = () => {
    try {
      closeSync(ours);
    } catch {
      return; // released already
    }
    if (pid > 0) reapNow(pid, true);
  };
  try {
    pid = spawnProgram(shim, [shim, "3"], [[theirs, 3]]);
    closeSync(theirs);
    const child = { pid };
    channel.write(encodePlan([step("UNSHARE", hex(CLONE.NEWUSER)), step("SYNC", "idmap"), step("SYNC", "release")]));
    const msg = channel.read();
    if (msg?.[0] !== "sync") throw new RuntsError(`user namespace for an idmapped mount: ${msg?.slice(1).join(" ") ?? "holder exited"}`);
    writeFileSync(`/proc/${child.pid}/uid_map`, mapText(uidMappings));
    writeFileSync(`/proc/${child.pid}/gid_map`, mapText(gidMappings));
    channel.send("ack");
    return { path: `/proc/${child.pid}/ns/user`, release };
  } catch (err) {
    release();
    throw err;
  }
}
