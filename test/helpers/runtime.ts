/**
 * Drive the runtime binary (RUNTS_BIN, default dist/runts) the way an engine
 * drives runc. Every call has a timeout and cannot hang the suite, even when a
 * container keeps the runtime's stdout open after the runtime has exited.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import type { Bundle } from "./bundle.js";
import { newContainerId, runtimeBin, subdirNames, tmpPrefix } from "./context.js";

export interface RunResult {
  /** Exit code, or null when killed by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** True when the timeout killed the runtime (SIGKILL). */
  timedOut: boolean;
}

export interface RuntsOptions {
  /** Written to stdin, which is then closed; without it stdin is /dev/null. */
  input?: string | Buffer;
  /** Kill the runtime (SIGKILL) after this long; default 20 s. */
  timeoutMs?: number;
  /** Added to the inherited environment. */
  env?: NodeJS.ProcessEnv;
  /**
   * "pipe" (default) captures stdout/stderr. For commands that leave a
   * container holding the runtime's stdio (create, run -d), pass files instead:
   * output is appended there and result.stdout/stderr hold what was appended
   * while the runtime ran.
   */
  stdio?: "pipe" | { stdout: string; stderr: string };
  /** Runtime binary; default runtimeBin(). */
  bin?: string;
  /** Working directory of the runtime (engines run it inside the bundle); default ours. */
  cwd?: string;
}

const DEFAULT_TIMEOUT_MS = 20_000;
/** How long to wait for stdout/stderr to close after the runtime exited. */
const CLOSE_GRACE_MS = 2_000;

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

function readFrom(file: string, offset: number): string {
  try {
    return readFileSync(file).subarray(offset).toString("utf8");
  } catch {
    return "";
  }
}

/** Run the runtime binary with `args` as given (no global flags added). Never rejects for a non-zero exit. */
export function runts(args: string[], opts: RuntsOptions = {}): Promise<RunResult> {
  const bin = opts.bin ?? runtimeBin();
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const files = opts.stdio === undefined || opts.stdio === "pipe" ? undefined : opts.stdio;

  return new Promise<RunResult>((resolve, reject) => {
    let outFd: number | undefined;
    let errFd: number | undefined;
    const offsets = { out: 0, err: 0 };
    if (files !== undefined) {
      offsets.out = fileSize(files.stdout);
      offsets.err = fileSize(files.stderr);
      outFd = openSync(files.stdout, "a");
      errFd = openSync(files.stderr, "a");
    }
    const closeFiles = (): void => {
      if (outFd !== undefined) closeSync(outFd);
      if (errFd !== undefined) closeSync(errFd);
      outFd = errFd = undefined;
    };

    let child: ChildProcess;
    try {
      child = spawn(bin, args, {
        env: { ...process.env, ...opts.env },
        ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}),
        stdio: [opts.input === undefined ? "ignore" : "pipe", outFd ?? "pipe", errFd ?? "pipe"],
      });
    } catch (err) {
      closeFiles();
      reject(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    closeFiles(); // the child has its own copies

    const out: Buffer[] = [];
    const errOut: Buffer[] = [];
    child.stdout?.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr?.on("data", (chunk: Buffer) => errOut.push(chunk));
    if (opts.input !== undefined) {
      child.stdin?.on("error", () => {}); // EPIPE when the runtime does not read stdin
      child.stdin?.end(opts.input);
    }

    let timedOut = false;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let settled = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    let graceTimer: NodeJS.Timeout | undefined;

    const finish = (note = ""): void => {
      if (settled || exit === undefined) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(graceTimer);
      child.stdout?.destroy();
      child.stderr?.destroy();
      const stdout = files ? readFrom(files.stdout, offsets.out) : Buffer.concat(out).toString("utf8");
      let stderr = files ? readFrom(files.stderr, offsets.err) : Buffer.concat(errOut).toString("utf8");
      if (timedOut) stderr += `\n[harness: killed after ${timeoutMs} ms: ${bin} ${args.join(" ")}]\n`;
      stderr += note;
      resolve({ ...exit, stdout, stderr, timedOut });
    };

    child.on("error", (err: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const hint =
        err.code === "ENOENT" ? " (build it with `npm run build`, or point RUNTS_BIN at a runtime such as /usr/sbin/runc)" : "";
      reject(new Error(`cannot run runtime ${bin}: ${err.message}${hint}`));
    });
    child.on("exit", (code, signal) => {
      exit = { code, signal };
      graceTimer = setTimeout(
        () => finish("\n[harness: stdout/stderr still held open by another process after the runtime exited]\n"),
        CLOSE_GRACE_MS,
      );
    });
    child.on("close", () => finish());
  });
}

export type ContainerStatus = "creating" | "created" | "running" | "stopped" | "paused";

export interface ContainerState {
  ociVersion: string;
  id: string;
  status: ContainerStatus;
  pid: number;
  bundle: string;
  annotations?: Record<string, string>;
  [key: string]: unknown;
}

const STATUSES: readonly string[] = ["creating", "created", "running", "stopped", "paused"];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Parse `state` output; throws when it is not an OCI state object. */
export function parseState(text: string): ContainerState {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`state output is not JSON: ${JSON.stringify(text)}`);
  }
  if (
    !isRecord(value) ||
    typeof value["id"] !== "string" ||
    typeof value["status"] !== "string" ||
    !STATUSES.includes(value["status"]) ||
    typeof value["pid"] !== "number" ||
    typeof value["bundle"] !== "string"
  ) {
    throw new Error(`state output lacks id/status/pid/bundle: ${text}`);
  }
  return value as ContainerState;
}

/** A runtime command that exited non-zero; the message carries the output and the log's tail. */
export class RuntimeCommandError extends Error {
  constructor(
    readonly args: string[],
    readonly result: RunResult,
    logTail: string,
  ) {
    super(
      [
        `runtime command failed (exit ${result.code ?? result.signal}): ${args.join(" ")}`,
        result.stdout.trim() && `stdout: ${result.stdout.trim()}`,
        result.stderr.trim() && `stderr: ${result.stderr.trim()}`,
        logTail && `log tail:\n${logTail}`,
      ]
        .filter(Boolean)
        .join("\n"),
    );
    this.name = "RuntimeCommandError";
  }
}

export interface DeleteOptions {
  force?: boolean;
}

/**
 * One test's runtime: its own state root (--root), log (--log, JSON) and
 * container stdio files, all under /tmp/runts-test-root-<run>-XXXXXX/.
 * Call cleanupAll() in afterEach.
 */
export class Runtime {
  /** Everything of this Runtime lives under base. */
  readonly base: string;
  /** Passed as --root. */
  readonly root: string;
  /** Passed as --log (with --log-format json). */
  readonly logFile: string;
  readonly bin: string;
  private readonly ioDir: string;
  private readonly ids = new Set<string>();

  constructor(opts: { bin?: string } = {}) {
    this.bin = opts.bin ?? runtimeBin();
    this.base = mkdtempSync(tmpPrefix("root"));
    this.root = path.join(this.base, "state");
    this.logFile = path.join(this.base, "runtime.log");
    this.ioDir = path.join(this.base, "io");
    mkdirSync(this.ioDir);
  }

  /** Ids created through this object (whether or not they still exist). */
  get createdIds(): string[] {
    return [...this.ids];
  }

  /** The global flags every call gets, then `args`: --root R --log F --log-format json. */
  args(args: string[]): string[] {
    return ["--root", this.root, "--log", this.logFile, "--log-format", "json", ...args];
  }

  /** Run `bin --root R --log F --log-format json ...args`; never rejects for a non-zero exit. */
  exec(args: string[], opts: Omit<RuntsOptions, "bin"> = {}): Promise<RunResult> {
    return runts(this.args(args), { ...opts, bin: this.bin });
  }

  /** Like exec, but throws RuntimeCommandError on a non-zero exit. */
  async check(args: string[], opts: Omit<RuntsOptions, "bin"> = {}): Promise<RunResult> {
    const result = await this.exec(args, opts);
    if (result.code !== 0) throw new RuntimeCommandError(args, result, this.logTail());
    return result;
  }

  pidFile(id: string): string {
    return path.join(this.base, `${id}.pid`);
  }

  /** Files that receive the stdout/stderr of containers made by create and run -d. */
  ioFiles(id: string): { stdout: string; stderr: string } {
    return { stdout: path.join(this.ioDir, `${id}.out`), stderr: path.join(this.ioDir, `${id}.err`) };
  }

  /** What a created (or run -d) container has written so far (runtime's own output included). */
  output(id: string): { stdout: string; stderr: string } {
    const files = this.ioFiles(id);
    return { stdout: readFrom(files.stdout, 0), stderr: readFrom(files.stderr, 0) };
  }

  /** `create --bundle B --pid-file P ID ...extra`; returns the id. Container stdio goes to ioFiles(id). */
  async create(bundle: Bundle | string, id: string = newContainerId(), extra: string[] = []): Promise<string> {
    this.ids.add(id);
    const dir = typeof bundle === "string" ? bundle : bundle.dir;
    await this.check(["create", "--bundle", dir, "--pid-file", this.pidFile(id), ...extra, id], {
      stdio: this.ioFiles(id),
    });
    return id;
  }

  async start(id: string): Promise<void> {
    await this.check(["start", id]);
  }

  async state(id: string): Promise<ContainerState> {
    return parseState((await this.check(["state", id])).stdout);
  }

  async kill(id: string, signal: string | number = "KILL", extra: string[] = []): Promise<void> {
    await this.check(["kill", ...extra, id, String(signal)]);
  }

  async delete(id: string, opts: DeleteOptions = {}): Promise<void> {
    await this.check(["delete", ...(opts.force ? ["--force"] : []), id]);
  }

  /**
   * `run --bundle B ...extra ID` in the foreground (or detached when extra has
   * -d/--detach, with stdio to ioFiles(id)). Resolves with the container's
   * exit code and output; never rejects for a non-zero exit.
   */
  async run(
    bundle: Bundle | string,
    id: string = newContainerId(),
    extra: string[] = [],
    opts: Omit<RuntsOptions, "bin" | "stdio"> = {},
  ): Promise<RunResult & { id: string }> {
    this.ids.add(id);
    const dir = typeof bundle === "string" ? bundle : bundle.dir;
    const detached = extra.includes("-d") || extra.includes("--detach");
    const result = await this.exec(["run", "--bundle", dir, ...extra, id], {
      ...opts,
      ...(detached ? { stdio: this.ioFiles(id) } : {}),
    });
    return { ...result, id };
  }

  /** Poll `state` until it reports `status`; throws with the last state or error on timeout. */
  async waitForStatus(id: string, status: ContainerStatus, timeoutMs = 5_000): Promise<ContainerState> {
    const deadline = Date.now() + timeoutMs;
    let last = "no answer yet";
    for (;;) {
      try {
        const st = await this.state(id);
        if (st.status === status) return st;
        last = `status ${st.status}`;
      } catch (err) {
        last = err instanceof Error ? err.message : String(err);
      }
      if (Date.now() >= deadline) {
        throw new Error(`container ${id} did not reach status ${status} within ${timeoutMs} ms; last: ${last}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** Last lines of the runtime's log file ("" when there is none). */
  logTail(lines = 20): string {
    return readFrom(this.logFile, 0).trimEnd().split("\n").slice(-lines).join("\n");
  }

  /** Container ids that have a state directory under root. */
  listStateDirs(): string[] {
    return subdirNames(this.root);
  }

  /**
   * `delete --force` every container this object created or that has state
   * under root, then remove base. Throws (after cleaning what it can) when a
   * container could not be deleted.
   */
  async cleanupAll(): Promise<void> {
    const ids = new Set([...this.ids, ...this.listStateDirs()]);
    for (const id of ids) {
      await this.exec(["delete", "--force", id], { timeoutMs: 10_000 }).catch(() => undefined);
    }
    const left = this.listStateDirs();
    const log = this.logTail();
    rmSync(this.base, { recursive: true, force: true });
    if (left.length > 0) {
      throw new Error(
        `delete --force left container state behind for: ${left.join(", ")}` + (log ? `\nlog tail:\n${log}` : ""),
      );
    }
  }
}
