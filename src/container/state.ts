/**
 * Container state on disk: <root>/<id>/state.json, the exec fifo and the lock.
 * Status is never stored: it is derived live from the init process (checked
 * against its recorded start time, so a reused pid reads as stopped) and the
 * exec fifo, as runc does.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { RuntsError, fromNodeError } from "../errors.js";
import type { CgroupState } from "../cgroups/index.js";
import { isFrozen } from "../cgroups/freezer.js";
import type { Hook, Process } from "../spec/schema.js";

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

export const STATE_FILE = "state.json";
export const EXEC_FIFO = "exec.fifo";

/** runc's rule: letters, digits, "_", "+", "-" and "." only, and not "." or "..". */
const ID_FORMAT = /^[\w+.-]+$/;

export function validateId(id: string): void {
  if (!id) throw new RuntsError("container id cannot be empty");
  if (id === "." || id === ".." || !ID_FORMAT.test(id) || id.length > 1024) {
    throw new RuntsError(`invalid container ID format: ${JSON.stringify(id)}`);
  }
}

/**
 * dir/name for a name without slashes (ids are validated first). The root is
 * absolute and clean already (the argument parsers resolve it), and node:path
 * costs a cold `state` ~0.2M instructions to load.
 */
function under(dir: string, name: string): string {
  if (dir === "") return name;
  return dir.endsWith("/") ? dir + name : `${dir}/${name}`;
}

export class StateDir {
  readonly dir: string;
  constructor(
    readonly root: string,
    readonly id: string,
  ) {
    validateId(id);
    this.dir = under(root, id);
  }

  get stateFile(): string {
    return under(this.dir, STATE_FILE);
  }
  private get stagedFile(): string {
    return `${this.stateFile}.tmp`;
  }
  get fifo(): string {
    return under(this.dir, EXEC_FIFO);
  }

  exists(): boolean {
    return existsSync(this.dir);
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

  /** The saved state, or undefined while the container is still being created. */
  read(): SavedState | undefined {
    const s = this.readFile(this.stateFile);
    if (!s && !this.exists()) throw new RuntsError("container does not exist", { container: this.id });
    return s;
  }

  /** Like read(), but a container in creation is an error too. */
  load(): SavedState {
    const s = this.read();
    if (!s) throw new RuntsError("container does not exist", { container: this.id });
    return s;
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
    return this.readFile(this.stagedFile);
  }

  private readFile(path: string): SavedState | undefined {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw fromNodeError(err, "read state", { path, container: this.id });
    }
    return JSON.parse(text) as SavedState;
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
    const { initLibc, flockExclusive } = await import("../sys/libc.js");
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

/** /proc/<pid>/stat: process state letter and start time, or undefined if gone. */
export function procStat(pid: number): { state: string; startTime: string } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // comm (field 2) may hold spaces and parentheses: parse after the last ')'.
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return { state: fields[0] ?? "?", startTime: fields[19] ?? "" };
}

/** Is the recorded init process still the same live process. */
export function initAlive(s: Pick<SavedState, "pid" | "pidStartTime">): boolean {
  if (s.pid <= 0) return false;
  const st = procStat(s.pid);
  return st !== undefined && st.startTime === s.pidStartTime && st.state !== "Z" && st.state !== "X";
}

export function deriveStatus(dir: StateDir, s: SavedState | undefined): Status {
  if (!s) return "creating";
  if (!initAlive(s)) return "stopped";
  if (isFrozen(s.cgroup)) return "paused";
  return existsSync(dir.fifo) ? "created" : "running";
}
