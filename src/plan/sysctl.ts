/**
 * Which sysctls a container may set: only namespaced keys whose namespace
 * the container owns (runc's rules). Anything else would change the host.
 */
import { posix } from "node:path";
import { RuntsError } from "../errors.js";
import type { NamespaceType } from "../spec/schema.js";

const IPC_KEYS = new Set([
  "kernel.msgmax",
  "kernel.msgmnb",
  "kernel.msgmni",
  "kernel.sem",
  "kernel.shmall",
  "kernel.shmmax",
  "kernel.shmmni",
  "kernel.shm_rmid_forced",
]);

/** The /proc/sys file of a key, after checking the container may write it. */
export function sysctlPath(key: string, ownNamespaces: ReadonlySet<NamespaceType>): string {
  const where = `config.json: linux.sysctl["${key}"]`;
  const path = posix.normalize(`/proc/sys/${key.replaceAll(".", "/")}`);
  if (!path.startsWith("/proc/sys/") || key.includes("..")) throw new RuntsError(`${where}: not a sysctl name`);
  const need = (ns: NamespaceType, what: string): string => {
    if (!ownNamespaces.has(ns)) {
      throw new RuntsError(`${where}: ${what} needs the container to have its own ${ns} namespace`);
    }
    return path;
  };
  if (key === "kernel.hostname" || key === "kernel.domainname") {
    throw new RuntsError(`${where}: set the ${key.slice(7)} field of config.json instead`);
  }
  if (IPC_KEYS.has(key) || key.startsWith("fs.mqueue.")) return need("ipc", "an IPC sysctl");
  if (key.startsWith("net.")) return need("network", "a network sysctl");
  throw new RuntsError(`${where}: not a namespaced sysctl: it would change the host`);
}
