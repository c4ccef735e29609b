/**
 * User namespaces for idmapped mounts. Each one is held by a runts-init that
 * unshares a user namespace and waits; runts writes the mount's mappings into
 * it, and the container process opens /proc/<pid>/ns/user to idmap its mount.
 * Closing our end of the socket ends the holder.
 */
import { RuntsError } from "../errors.js";
import { CLONE } from "../plan/linux.js";
import { encodePlan, hex, step, type IdMap } from "../plan/plan.js";
import { ShimProcess, writeIdMaps } from "./launch.js";

export interface UsernsHolder {
  /** /proc/<pid>/ns/user of the holder. */
  path: string;
  release(): void;
}

export async function holdUserns(shim: string, uidMappings: IdMap[], gidMappings: IdMap[]): Promise<UsernsHolder> {
  const holder = new ShimProcess(shim, 0);
  try {
    holder.channel.write(encodePlan([step("UNSHARE", hex(CLONE.NEWUSER)), step("SYNC", "idmap"), step("SYNC", "release")]));
    const msg = holder.channel.read();
    if (msg?.[0] !== "sync") throw new RuntsError(`user namespace for an idmapped mount: ${msg?.slice(1).join(" ") ?? "holder exited"}`);
    writeIdMaps(holder.pid, uidMappings, gidMappings);
    holder.channel.send("ack");
    return { path: `/proc/${holder.pid}/ns/user`, release: () => holder.release() };
  } catch (err) {
    holder.release();
    throw err;
  }
}
