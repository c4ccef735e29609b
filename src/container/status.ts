/**
 * Reading a container's saved state and deriving its live status: all that
 * `state`, the call engines make most, needs. Status is never stored: it is
 * derived from the init process (checked against its recorded start time, so
 * a reused pid reads as stopped), the freezer and the exec fifo, as runc
 * does. The state directory's writers (create, stage, lock, remove) are in
 * state.ts, which `state` does not load.
 */
import { existsSync, readFileSync } from "node:fs";
import { isFrozen } from "../cgroups/freezer.js";
import { RuntsError, fromNodeError } from "../errors.js";
import type { SavedState, Status } from "./state.js";

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
export function under(dir: string, name: string): string {
  if (dir === "") return name;
  return dir.endsWith("/") ? dir + name : `${dir}/${name}`;
}

/** A container's files under the root, read-only: <root>/<id>/state.json and the exec fifo. */
export class ContainerFiles {
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
  get fifo(): string {
    return under(this.dir, EXEC_FIFO);
  }

  exists(): boolean {
    return existsSync(this.dir);
  }

  /** The saved state, or undefined while the container is still being created. */
  read(): SavedState | undefined {
    const s = this.readState(this.stateFile);
    if (!s && !this.exists()) throw new RuntsError("container does not exist", { container: this.id });
    return s;
  }

  /** Like read(), but a container in creation is an error too. */
  load(): SavedState {
    const s = this.read();
    if (!s) throw new RuntsError("container does not exist", { container: this.id });
    return s;
  }

  protected readState(path: string): SavedState | undefined {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw fromNodeError(err, "read state", { path, container: this.id });
    }
    return JSON.parse(text) as SavedState;
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

export function deriveStatus(files: ContainerFiles, s: SavedState | undefined): Status {
  if (!s) return "creating";
  if (!initAlive(s)) return "stopped";
  if (isFrozen(s.cgroup)) return "paused";
  return existsSync(files.fifo) ? "created" : "running";
}
