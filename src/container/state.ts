/**
 * Container state on disk: <root>/<id>/state.json, the exec fifo and the lock.
 * Reading it and deriving the live status are in status.ts (re-exported here).
 */
import { closeSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { RuntsError, fromNodeError } from "../errors.js";
import type { CgroupState } from "../cgroups/index.js";
import type { Hook, Process } from "../spec/schema.js";
import { ContainerFiles } from "./status.js";
import { flockExclusive, initLibc } from "../sys/libc.js";

export { ContainerFiles, EXEC_FIFO, STATE_FILE, deriveStatus, initAlive, procStat, validateId } from "./status.js";

export type Status = "creating" | "created" | "running" | "stopped" | "paused";

/** What runts records about a container (internal; `state` prints the OCI view of it). */
export interface SavedState {
  ociVersion: string;
  id: string;
  /** Host pid of the container's init process. */
  pid: number;
  /** Field 22 of /proc/<pid>/stat when created: tells a reused pid apart. */
  pidStartTime: string;
  bundle: string;
  rootfs: string;
  /** RFC 3339 creation time. */
  created: string;
  owner: string;
  annotations?: Record<string, string>;
  cgroup: CgroupState;
  /** Namespace paths of the container (for exec), e.g. { pid: "/proc/123/ns/pid" }. */
  namespaces: Record<string, string>;
  /** The config's process, the defaults of `exec`. */
  process?: Process;
  /** Hooks that run after create: poststart (by start) and poststop (by delete). */
  hooks?: { poststart?: Hook[]; poststop?: Hook[] };
}

/** A container's state directory, with the writers: create, stage and publish, lock, remove. */
export class StateDir extends ContainerFiles {
  private get stagedFile(): string {
    return `${this.stateFile}.tmp`;
  }

  /** Make the directory for a new container; an existing id is an error. */
  createDir(): void {
    try {
      mkdirSync(this.root, { recursive: true, mode: 0o711 });
      mkdirSync(this.dir, { mode: 0o711 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "EEXIST") {
        throw new RuntsError(`container with given ID already exists: ${this.id}`, { container: this.id });
      }
      throw fromNodeError(err, "create state dir", { path: this.dir, container: this.id });
    }
  }

  /** Write state.json atomically. */
  write(state: SavedState): void {
    this.stage(state);
    this.publish();
  }

  /**
   * Write the next state.json beside the current one; publish() puts it in
   * place. Until then it is what a create that died half-way leaves for
   * `delete --force` to clean up after (stagedState()).
   */
  stage(state: SavedState): void {
    writeFileSync(this.stagedFile, JSON.stringify(state), { mode: 0o600 });
  }

  /** The state staged by a create that never published it, if any. */
  stagedState(): SavedState | undefined {
    return this.readState(this.stagedFile);
  }

  publish(): void {
    renameSync(this.stagedFile, this.stateFile);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  /**
   * Hold an exclusive lock on the container directory while `fn` runs, so two
   * runts processes never work on one id at the same time.
   */
  async locked<T>(fn: () => Promise<T> | T): Promise<T> {
    await initLibc();
    let fd: number;
    try {
      fd = openSync(this.dir, "r");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") {
        throw new RuntsError("container does not exist", { container: this.id });
      }
      throw fromNodeError(err, "lock", { path: this.dir, container: this.id });
    }
    try {
      flockExclusive(fd, this.dir);
      return await fn();
    } finally {
      closeSync(fd);
    }
  }
}

/** Ids of all containers under a root (directories only). */
export function listIds(root: string): string[] {
  try {
    return readdirSync(root, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw fromNodeError(err, "list", { path: root });
  }
}
