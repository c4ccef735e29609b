/**
 * Small synchronous filesystem helpers shared by the v1 and v2 managers. Every
 * failure comes out as a RuntsError carrying the step and the path.
 */
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  writeSync,
} from "node:fs";
import { RuntsError, fromNodeError } from "../errors.js";
import { sleepSync } from "../sleep.js";

/**
 * Tests watch the order of writes across files through this (scratch trees
 * keep only each file's last value); nothing in the runtime sets it.
 */
let writeObserver: ((path: string, value: string) => void) | undefined;
export function observeWrites(fn: ((path: string, value: string) => void) | undefined): void {
  writeObserver = fn;
}

export function errCode(err: unknown): string | undefined {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/**
 * Write each line with its own write(2) on one descriptor: cgroup control
 * files take one value per write (devices.allow parses a single rule). The
 * file is opened O_APPEND so a plain directory standing in for cgroupfs in
 * tests keeps every line, in order.
 */
export function writeLines(path: string, lines: readonly string[], step: string): void {
  const file = openLines(path, step);
  try {
    for (const line of lines) file.write(line);
  } finally {
    file.close();
  }
}

/** An open control file that takes one line per write(2) (cgroup.procs, devices.allow). */
export interface LineFile {
  write(line: string): void;
  /** Idempotent. */
  close(): void;
}

export function openLines(path: string, step: string): LineFile {
  let fd: number;
  try {
    fd = openSync(path, "a");
  } catch (err) {
    throw fromNodeError(err, step, { path });
  }
  let open = true;
  return {
    write(line: string): void {
      if (!open) throw new RuntsError(`writing ${JSON.stringify(line)} failed: the file is closed`, { step, path });
      try {
        writeObserver?.(path, line);
        writeSync(fd, line + "\n");
      } catch (err) {
        const e = fromNodeError(err, step, { path });
        throw new RuntsError(`writing ${JSON.stringify(line)} failed`, e.context);
      }
    },
    close(): void {
      if (!open) return;
      // Cleared first: a failed close is not retried on a number that may be reused.
      open = false;
      closeSync(fd);
    },
  };
}

/**
 * Write one value to a control file with one write(2). The file is truncated
 * first, which cgroupfs ignores and which leaves a scratch file holding the
 * last value, as the kernel's file would. A file the kernel does not have
 * (EACCES from O_CREAT on cgroupfs, or ENOENT) is an error naming it.
 */
export function writeValue(dir: string, file: string, value: string, step: string): void {
  const path = `${dir}/${file}`;
  let fd: number;
  try {
    fd = openSync(path, "w");
  } catch (err) {
    const code = errCode(err);
    const e = fromNodeError(err, step, { path });
    if (code === "EACCES" || code === "ENOENT") {
      throw new RuntsError(`cannot set ${file}: the kernel has no such cgroup file here`, e.context);
    }
    throw e;
  }
  try {
    writeObserver?.(path, value);
    writeSync(fd, value);
  } catch (err) {
    const e = fromNodeError(err, step, { path });
    throw new RuntsError(`writing ${JSON.stringify(value)} to ${file} failed`, e.context);
  } finally {
    closeSync(fd);
  }
}

/**
 * Write a value the kernel may refuse with EINVAL until another one is in
 * (a CFS period or burst before the quota): when `canDefer`, such a refusal
 * returns the value for the caller to write again afterwards; otherwise, and
 * for any other error, it throws. Returns "" when written.
 */
export function writeOrDefer(dir: string, file: string, value: string, step: string, canDefer: boolean): string {
  try {
    writeValue(dir, file, value, step);
    return "";
  } catch (err) {
    if (!canDefer || !(err instanceof RuntsError && err.context.errno === "invalid argument")) throw err;
    return value;
  }
}

/** Does the control file exist (a knob this kernel has)? */
export function hasFile(dir: string, file: string): boolean {
  return existsSync(`${dir}/${file}`);
}

/** Read a control file; undefined when it does not exist. Not trimmed. */
export function readOptional(path: string, step: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    const code = errCode(err);
    if (code === "ENOENT" || code === "ENODEV") return undefined;
    throw fromNodeError(err, step, { path });
  }
}

/** Read a control file, trimmed; "" when it does not exist. */
export function readValue(path: string, step: string): string {
  try {
    return readFileSync(path, "utf8").trim();
  } catch (err) {
    if (errCode(err) === "ENOENT") return "";
    throw fromNodeError(err, step, { path });
  }
}

/**
 * Create `dir` below `base` and return the levels this call made (shallowest
 * first); levels that already exist are not ours. One mkdir when the parent
 * exists, the usual case (an engine's shared parent): no failed mkdir per
 * existing level, whose error objects cost a cold `create` ~0.3 ms over ten
 * hierarchies. If a level disappears under us (another runtime removing a
 * shared parent), start over a few times. `base` itself must exist. `fresh`:
 * `dir` must not exist yet.
 */
export function mkdirLevels(base: string, dir: string, step: string, fresh = false): string[] {
  if (dir === base || !dir.startsWith(base + "/")) {
    throw new RuntsError(`cgroup directory ${dir} is not below ${base}`, { step, path: dir });
  }
  for (let attempt = 0; ; attempt++) {
    let first: string | undefined;
    try {
      first = mkdirSync(dir, { recursive: true, mode: 0o755 });
    } catch (err) {
      const code = errCode(err);
      if (code === "ENOENT" && attempt < 3 && existsSync(base)) continue;
      if (code === "EEXIST" || code === "ENOTDIR") {
        throw new RuntsError(`cgroup ${dir} cannot be made: a file is in the way (does the id name a cgroup control file?)`, {
          step,
          path: dir,
        });
      }
      throw fromNodeError(err, step, { path: dir });
    }
    if (first === undefined && fresh) {
      // The default path, <id> beside the runtime's own cgroup: a directory of its own, never one found there.
      throw new RuntsError(
        `cgroup ${dir} exists already, and a container without linux.cgroupsPath gets a new one named by its id: choose another id or set linux.cgroupsPath`,
        { step, path: dir },
      );
    }
    if (first === undefined) return [];
    const created = [first];
    for (let i = dir.indexOf("/", first.length + 1); i !== -1; i = dir.indexOf("/", i + 1)) created.push(dir.slice(0, i));
    if (first !== dir) created.push(dir);
    if (!first.startsWith(base + "/")) {
      // base was missing and got made too: not a cgroup mount, undo (as far as it goes).
      for (const d of created.reverse()) {
        try {
          rmdirSync(d);
        } catch {
          break;
        }
      }
      throw new RuntsError(`cgroup mount ${base} does not exist`, { step, path: dir });
    }
    return created;
  }
}

/** Sub-directories (sub-cgroups) of a cgroup directory; [] if it is gone. */
export function subdirs(dir: string, step: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => `${dir}/${d.name}`);
  } catch (err) {
    const code = errCode(err);
    if (code === "ENOENT" || code === "ENOTDIR") return [];
    throw fromNodeError(err, step, { path: dir });
  }
}

/**
 * Remove `dir` and every sub-cgroup in it, deepest first. A cgroup stays busy
 * for a moment after its last task was killed, so EBUSY is retried until
 * `deadline` (Date.now() ms). A missing directory counts as removed.
 */
export function removeTree(dir: string, deadline: number, step: string): void {
  let delay = 2;
  let lateSweep = false;
  for (;;) {
    try {
      // Usually there is nothing below it: no directory listing (a cgroup's
      // lists all its control files) unless the kernel says there is.
      rmdirSync(dir);
      return;
    } catch (err) {
      const code = errCode(err);
      if (code === "ENOENT") return;
      // Sub-cgroups (the container's, or made meanwhile) go first: cgroupfs
      // says EBUSY for them, a plain directory (a scratch tree) ENOTEMPTY.
      // Past the deadline they are still taken out, once. Tasks still exiting
      // keep a cgroup busy for a moment: then wait a little, until the deadline.
      const late = Date.now() >= deadline;
      const subs = (code === "EBUSY" || code === "ENOTEMPTY") && !(late && lateSweep) ? subdirs(dir, step) : [];
      if (subs.length > 0) {
        lateSweep ||= late;
        for (const sub of subs) removeTree(sub, deadline, step);
        continue;
      }
      if (code === "EBUSY" && !late) {
        sleepSync(delay);
        delay = Math.min(delay * 2, 50);
        continue;
      }
      const e = fromNodeError(err, step, { path: dir });
      if (code === "EBUSY") {
        throw new RuntsError("cannot remove cgroup: still busy after waiting (are processes still running in it?)", e.context);
      }
      throw e;
    }
  }
}

/**
 * Remove a shared upper level we created (e.g. /a of /a/b) if nothing else lives
 * in it. Returns false when it is still in use (another container's cgroup),
 * in which case it and everything above it stays.
 */
export function removeIfUnused(dir: string, step: string): boolean {
  try {
    rmdirSync(dir);
    return true;
  } catch (err) {
    const code = errCode(err);
    if (code === "ENOENT") return true;
    if (code === "EBUSY" || code === "ENOTEMPTY" || code === "EEXIST") return false;
    throw fromNodeError(err, step, { path: dir });
  }
}

/** Pids in `dir`/cgroup.procs and in every sub-cgroup's, deduplicated, sorted. */
export function readProcsRecursive(dir: string, step: string): number[] {
  const out = new Set<number>();
  const walk = (d: string, top: boolean): void => {
    // A cgroup not made yet (create's check) has none: no failed open to throw.
    if (top && !existsSync(d)) return;
    let text = "";
    try {
      text = readFileSync(`${d}/cgroup.procs`, "utf8");
    } catch (err) {
      const code = errCode(err);
      // A cgroup that does not exist (or a sub-cgroup going away) has no pids.
      if (code !== "ENOENT" && (top || code !== "ENODEV")) {
        throw fromNodeError(err, step, { path: `${d}/cgroup.procs` });
      }
    }
    for (const line of text.split("\n")) {
      if (line === "") continue;
      const pid = Number(line);
      if (Number.isInteger(pid) && pid > 0) out.add(pid);
    }
    for (const sub of subdirs(d, step)) walk(sub, false);
  };
  walk(dir, true);
  return [...out].sort((a, b) => a - b);
}
