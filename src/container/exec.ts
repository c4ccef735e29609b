/**
 * Running another process in a live container: the process of config.json
 * (or a process.json given with -p) with the command line's changes, joined
 * to every namespace and the cgroup of the container.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { ExecArgs } from "../cli/args.js";
import { RuntsError } from "../errors.js";
import type { Process } from "../spec/schema.js";
import { StateDir, deriveStatus, type SavedState } from "./state.js";
import { writePidFile } from "./pidfile.js";
import { launch, ShimProcess } from "../launcher/launch.js";
import { locateShim } from "../launcher/shim.js";
import { initLibc } from "../sys/libc.js";
import { buildExecPlan } from "../plan/exec.js";
import { cgroupManagerFromState } from "../cgroups/index.js";

export interface Execed {
  pid: number;
  ptyMaster?: number;
}

export async function execInContainer(dir: StateDir, a: ExecArgs): Promise<Execed> {
  const state = dir.load();
  const status = deriveStatus(dir, state);
  if (status === "stopped") throw new RuntsError("cannot exec in a stopped container", { container: dir.id });
  if (status === "paused" && !a.ignorePaused) throw new RuntsError("cannot exec in a paused container", { container: dir.id });
  const process = a.process ? await readProcessFile(a.process) : fromConfig(state, a);
  if (process.terminal && !a.consoleSocket && a.detach) {
    throw new RuntsError("cannot allocate tty if runts will detach without setting console socket", { container: dir.id });
  }
  const shim = locateShim();
  await initLibc();
  // As for create: runts-init starts while the plan is made.
  const init = new ShimProcess(shim, a.preserveFds);
  try {
    const plan = buildExecPlan({
      namespaces: state.namespaces,
      process,
      preserveFds: a.preserveFds,
      ...(a.consoleSocket ? { consoleSocket: resolve(a.consoleSocket) } : {}),
      ...(a.pidfdSocket ? { pidfdSocket: resolve(a.pidfdSocket) } : {}),
    });
    const cgroup = cgroupManagerFromState(state.cgroup);
    const launched = await launch(plan, init, { onSpawn: (shimPid) => cgroup.join(shimPid) });
    if (a.pidFile) writePidFile(a.pidFile, launched.pid);
    return launched;
  } finally {
    init.release();
  }
}

/** process.json given with -p: a whole OCI process, validated like config.json's. */
async function readProcessFile(path: string): Promise<Process> {
  const { validateSpecFast } = await import("../spec/validate-fast.js");
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new RuntsError(`process.json: cannot read ${path}: ${(err as Error).message}`);
  }
  try {
    const spec = await validateSpecFast({ ociVersion: "1.0.0", root: { path: "/" }, process: raw });
    if (!spec.process) throw new RuntsError("process.json: no process");
    return spec.process;
  } catch (err) {
    if (err instanceof RuntsError) throw new RuntsError(err.message.replace(/^config\.json: process\.?/, "process.json: "));
    throw err;
  }
}

/** runc's exec without -p: the container's process with the command line's args, env, cwd, user, caps. */
function fromConfig(state: SavedState, a: ExecArgs): Process {
  const base = state.process;
  if (!base) throw new RuntsError("the container has no process to take defaults from: use --process", { container: state.id });
  if (a.args.length === 0) throw new RuntsError("process args cannot be empty");
  const env = new Map((base.env ?? []).map((e) => [e.split("=", 1)[0] ?? e, e]));
  for (const e of a.env) env.set(e.split("=", 1)[0] ?? e, e);
  const user = { ...base.user };
  if (a.user) {
    const m = /^(\d+)(?::(\d+))?$/.exec(a.user);
    if (!m) throw new RuntsError(`--user ${a.user}: expected <uid>[:<gid>]`);
    user.uid = Number(m[1]);
    user.gid = m[2] === undefined ? 0 : Number(m[2]);
  }
  if (a.additionalGids.length) user.additionalGids = a.additionalGids;
  const caps = base.capabilities ? { ...base.capabilities } : undefined;
  if (caps && a.caps.length) {
    caps.bounding = [...(caps.bounding ?? []), ...a.caps];
    caps.effective = [...(caps.effective ?? []), ...a.caps];
    caps.permitted = [...(caps.permitted ?? []), ...a.caps];
    // Ambient needs inheritable: only when the config already has some (as runc).
    if (caps.inheritable) caps.ambient = [...(caps.ambient ?? []), ...a.caps];
  }
  const { consoleSize: _size, ...rest } = base;
  return {
    ...rest,
    terminal: a.tty,
    args: a.args,
    env: [...env.values()],
    cwd: a.cwd ?? base.cwd,
    user,
    ...(caps ? { capabilities: caps } : {}),
    ...(a.noNewPrivsSet ? { noNewPrivileges: a.noNewPrivs } : {}),
  };
}
