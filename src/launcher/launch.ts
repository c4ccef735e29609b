/**
 * Start runts-init, hand it a plan and follow it through its sync stages
 * until the container process reports "created" (or, for exec, execs).
 *
 * runts-init gets the caller's stdio and the --preserve-fds descriptors
 * unchanged, plus one end of a socketpair for the messages. Its container
 * process is cloned with CLONE_PARENT, so it is a child of this process.
 */
import { closeSync, writeFileSync } from "node:fs";
import { RuntsError } from "../errors.js";
import { encodePlan, type IdMap, type LaunchPlan } from "../plan/plan.js";
import { errnoMessage, pidfdGetfd, pidfdOpen, reapNow, spawnProgram, waitReadableOrExit } from "../sys/libc.js";
import { mark } from "../timing.js";
import { Channel, shimSocketpair } from "./channel.js";

export interface LaunchHooks {
  /** Before runts-init has the plan (exec: put it into the container's cgroup, which its child inherits). */
  onSpawn?(shimPid: number): void | Promise<void>;
  /**
   * Right after the plan is sent, while runts-init clones the container
   * process (create: make the cgroup and set its resources).
   */
  onSent?(): void | Promise<void>;
  /**
   * Plans with a cgroup sync (create): the container process exists and
   * waits at its first step, "sync cgroup"; put it into its cgroup. The sync
   * is answered once this returns. Not called after a failure.
   */
  placeCloned?(pid: number): void | Promise<void>;
  /**
   * The cgroup sync is answered: the container process goes on making its
   * mounts on the other CPU meanwhile (create: set the cgroup's limits).
   * Done before any later message is read, so before its "sync limits" is
   * answered, before the hooks of stage "ready" run and before "created".
   * Not called after a failure.
   */
  afterCgroupSync?(pid: number): void | Promise<void>;
  /** The container process exists (and goes on setting itself up, or is killed after a failure): its host pid. */
  onCloned?(pid: number): void;
  /**
   * Stage "ready", in plans that have it: the id maps are written; run the
   * runtime-namespace hooks. What it returns rides on the ack (state JSONs
   * for the hooks the container process runs itself).
   */
  onReady?(pid: number): string[] | void | Promise<string[] | void>;
}

export interface Launched {
  pid: number;
  /** The pty master, when the plan has a terminal and no console socket. */
  ptyMaster?: number;
}

function mapText(maps: IdMap[]): string {
  return maps.map((m) => `${m.containerID} ${m.hostID} ${m.size}\n`).join("");
}

/**
 * The error a failed step reported, as one line, e.g.
 * `mount "/proc" (proc): no such file or directory` or
 * `exec "foo": executable file not found in $PATH`.
 */
export function stepError(fields: string[]): RuntsError {
  const [, step = "init", arg = "", errno = "0", detail = ""] = fields;
  const n = Number(errno);
  const reason = [n ? errnoMessage(n) : "", detail].filter(Boolean);
  // A detail that only names a sub-step goes in brackets; one that explains goes last.
  const explains = detail.includes(" ");
  const head = `${step}${arg ? ` ${JSON.stringify(arg)}` : ""}${detail && !explains ? ` (${detail})` : ""}`;
  const tail = explains ? reason.join(": ") : n ? errnoMessage(n) : "failed";
  return new RuntsError(`${head}: ${tail || "failed"}`, { step: "container init" });
}

/**
 * runts-init, started before its plan exists: its own start-up (a sealed
 * copy of itself, re-executed) then overlaps the validating and planning.
 * It waits for the plan on its socket, and exits when the socket closes
 * without one. launch() uses it once; release() (idempotent) closes our end
 * and reaps it, whatever happened.
 */
export class ShimProcess {
  readonly pid: number;
  readonly channel: Channel;
  private released = false;
  private reaped = false;

  /** Start `shim` with the caller's stdio and descriptors 3 .. 3+preserveFds-1. */
  constructor(
    shim: string,
    readonly preserveFds: number,
  ) {
    const syncFd = 3 + preserveFds;
    const { ours, theirs } = shimSocketpair(syncFd);
    const fds: Array<[number, number]> = [];
    for (let fd = 3; fd < syncFd; fd++) fds.push([fd, fd]);
    fds.push([theirs, syncFd]);
    try {
      this.pid = spawnProgram(shim, [shim, String(syncFd)], fds);
    } catch (err) {
      closeSync(ours);
      throw err;
    } finally {
      closeSync(theirs);
    }
    this.channel = new Channel(ours);
    mark("runts-init spawned");
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    closeSync(this.channel.fd);
    // runts-init leaves right after clone, after reporting an error, or on EOF.
    if (!this.reaped) reapNow(this.pid, true);
  }

  /** Has runts-init exited already? (Reaps it if so.) */
  exited(): boolean {
    this.reaped ||= reapNow(this.pid, false);
    return this.reaped;
  }

  /** The error for a runts-init that exited without a word (it may have said why on stderr). */
  gone(): RuntsError {
    return new RuntsError(`runts-init (pid ${this.pid}) exited before it started the container`, { step: "container init" });
  }
}

export async function launch(plan: LaunchPlan, init: ShimProcess, hooks: LaunchHooks): Promise<Launched> {
  mark("launch");
  if (plan.preserveFds !== init.preserveFds) {
    init.release();
    throw new RuntsError(`runts-init was started for ${init.preserveFds} preserved fds, the plan has ${plan.preserveFds}`);
  }
  const { channel, pid: shimPid } = init;
  let pid = 0;
  let ptyMaster: number | undefined;
  try {
    try {
      await hooks.onSpawn?.(shimPid);
      // Inherited by the container process at clone.
      if (plan.oomScoreAdj !== undefined) setOomScoreAdj(shimPid, plan.oomScoreAdj);
      sendPlan(init, plan);
    } catch (err) {
      // Joining its cgroup or sending the plan fails when runts-init is gone: say that.
      if (init.exited()) throw init.gone();
      throw err;
    }
    let failed: { err: unknown } | undefined;
    try {
      await hooks.onSent?.();
    } catch (err) {
      failed = { err };
    }
    // runts-init sends "pid" right after clone. The container process may get
    // to its "sync cgroup" first (it waits there for the ack), or runts-init
    // may report an error: what comes before the pid is kept, in order, for
    // after it. Read only while runts-init lives or has messages left: one
    // that died between its clone and its pid message would leave the read
    // hanging on the container process's end of the socket.
    const early: string[][] = [];
    const shimFd = pidfdOpen(shimPid);
    try {
      while (!pid) {
        if (waitReadableOrExit(channel.fd, shimFd) === "exited") break;
        const msg = channel.read();
        if (!msg) break;
        if (msg[0] !== "pid") {
          early.push(msg);
          continue;
        }
        mark("pid received");
        pid = Number(msg[1]);
      }
    } finally {
      closeSync(shimFd);
    }
    if (pid && plan.cgroupSync && !failed) {
      try {
        await hooks.placeCloned?.(pid);
        // Answered now, asked or not yet: "sync cgroup" is its first step.
        ackCgroup(channel);
        await hooks.afterCgroupSync?.(pid);
      } catch (err) {
        failed = { err };
      }
    }
    // After a failure too: the caller learns of a process to clean up after
    // (and what goes wrong in doing so does not hide the first failure).
    if (pid) {
      try {
        hooks.onCloned?.(pid);
      } catch (err) {
        failed ??= { err };
      }
    }
    if (failed) throw failed.err;
    if (!pid) {
      // No pid came: runts-init failed before clone (its error is here) or died.
      const error = early.find((m) => m[0] === "error");
      throw error ? stepError(error) : init.gone();
    }
    const launched = (): Launched => ({ pid, ...(ptyMaster !== undefined ? { ptyMaster } : {}) });
    for (;;) {
      const msg = early.shift() ?? channel.read();
      if (!msg) {
        // An exec'd process closes its end by exec-ing: for exec that is success.
        if (plan.mode === "exec") return launched();
        throw new RuntsError("container init exited before it was set up", { step: "container init" });
      }
      const [kind] = msg;
      if (kind === "error") throw stepError(msg);
      // Answered once the process was in its cgroup; this only says it got there.
      if (kind === "sync" && msg[1] === "cgroup" && plan.cgroupSync) continue;
      if (kind === "sync") {
        const payload = msg[1] === "ready" ? await ready(pid, plan, hooks) : undefined;
        channel.send("ack", ...(payload ?? []));
      } else if (kind === "pty") {
        // Copy the pty master out of the container process, then let it go on.
        const pidfd = pidfdOpen(pid);
        try {
          ptyMaster = pidfdGetfd(pidfd, Number(msg[1]));
        } finally {
          closeSync(pidfd);
        }
        channel.send("ack");
      } else if (kind === "created") {
        return launched();
      } else {
        throw new RuntsError(`unexpected message from container init: ${kind}`, { step: "sync" });
      }
    }

  } catch (err) {
    if (ptyMaster !== undefined) closeSync(ptyMaster);
    if (pid > 0) killQuietly(pid);
    throw err;
  } finally {
    init.release();
  }
}

/**
 * The container process's cgroup sync answered. A process that is gone
 * already is no write error: the messages read next say what became of it
 * (or that it left without a word).
 */
function ackCgroup(channel: Channel): void {
  try {
    channel.send("ack");
  } catch (err) {
    if (!peerGone(err)) throw err;
  }
}

/** The plan to runts-init; one that is gone already is a clear error, not EPIPE. */
function sendPlan(init: ShimProcess, plan: LaunchPlan): void {
  try {
    init.channel.write(encodePlan(plan.steps));
  } catch (err) {
    if (!peerGone(err)) throw err;
    throw init.gone();
  }
}

/** A write failed because nobody holds the other end of the channel any more. */
function peerGone(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === "EPIPE" || code === "ECONNRESET";
}

async function ready(pid: number, plan: LaunchPlan, hooks: LaunchHooks): Promise<string[] | void> {
  if (plan.userns) writeIdMaps(pid, plan.userns.uidMappings, plan.userns.gidMappings);
  return hooks.onReady?.(pid);
}

/** Write the uid and gid maps of the user namespace process `pid` is in. */
export function writeIdMaps(pid: number, uidMappings: IdMap[], gidMappings: IdMap[]): void {
  try {
    writeFileSync(`/proc/${pid}/uid_map`, mapText(uidMappings));
    writeFileSync(`/proc/${pid}/gid_map`, mapText(gidMappings));
  } catch (err) {
    throw new RuntsError(`cannot write the user namespace id maps: ${(err as Error).message}`, {
      step: "uid/gid maps",
      path: `/proc/${pid}`,
    });
  }
}

function setOomScoreAdj(pid: number, value: number): void {
  try {
    writeFileSync(`/proc/${pid}/oom_score_adj`, String(value));
  } catch (err) {
    throw new RuntsError(`cannot set process.oomScoreAdj ${value}: ${(err as Error).message}`, {
      step: "oom_score_adj",
      path: `/proc/${pid}/oom_score_adj`,
    });
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
}
