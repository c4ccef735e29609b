/**
 * Creating a container: validate the bundle, make its state dir and cgroup,
 * plan the launch and run it until the init process waits for `start`.
 * Any failure undoes everything this call made: nothing is left on the host.
 */
import { basename, resolve } from "node:path";
import { type CgroupJoin, type CgroupManager, createCgroupManager } from "../cgroups/index.js";
import { warmCgroupMigration } from "../cgroups/warmup.js";
import { RuntsError } from "../errors.js";
import type { UsernsHolder } from "../launcher/idmap.js";
import { launch, ShimProcess } from "../launcher/launch.js";
import { locateShim } from "../launcher/shim.js";
import { log } from "../log.js";
import { type CgroupMount, buildPlan } from "../plan/build.js";
import { deviceCgroupRules } from "../plan/devices.js";
import { signalNumber, SIGKILL } from "../signals.js";
import { loadSpec, rootfsPath } from "../spec/load.js";
import type { Spec } from "../spec/schema.js";
import { assertSupported } from "../spec/support.js";
import * as libc from "../sys/libc.js";
import { mark } from "../timing.js";
import { OCI_VERSION } from "../version.js";
import { hookState, runHooks } from "./hooks.js";
import { writePidFile } from "./pidfile.js";
import { type SavedState, StateDir, procStat } from "./state.js";

export interface CreateOptions {
  root: string;
  id: string;
  bundle: string;
  consoleSocket?: string;
  pidfdSocket?: string;
  pidFile?: string;
  noPivot: boolean;
  preserveFds: number;
  noNewKeyring?: boolean;
  systemdCgroup: boolean;
  /** runts exits once the container is created (create, run -d): a terminal then needs a console socket. */
  detached: boolean;
}

export interface Created {
  state: SavedState;
  dir: StateDir;
  ptyMaster?: number;
}

export async function createContainer(opts: CreateOptions): Promise<Created> {
  const dir = new StateDir(opts.root, opts.id);
  const warm = warmCgroupMigration();
  const shim = locateShim();
  await libc.initLibc();
  mark("libc ready");
  // Socket activation (as runc): LISTEN_FDS fds come first, then --preserve-fds.
  const listenFds = socketActivationFds();
  // Started first, runts-init gets ready on another CPU while we validate and plan.
  const init = new ShimProcess(shim, listenFds + opts.preserveFds);
  try {
    return await createFromBundle(opts, dir, { init, shim, warm, listenFds });
  } finally {
    init.release();
  }
}

/** What createContainer has set going before it reads the bundle. */
interface Started {
  init: ShimProcess;
  shim: string;
  /** The cgroup migration warm-up (warmup.ts). */
  warm: Promise<void>;
  listenFds: number;
}

async function createFromBundle(opts: CreateOptions, dir: StateDir, started: Started): Promise<Created> {
  const { init, shim, warm, listenFds } = started;
  const spec = await loadSpec(opts.bundle);
  assertSupported(spec);
  if (spec.process?.terminal && !opts.consoleSocket && opts.detached) {
    throw new RuntsError("cannot allocate tty if runts will detach without setting console socket", { container: opts.id });
  }
  mark("config.json validated");

  dir.createDir();
  let cgroup: CgroupManager | undefined;
  let pid = 0;
  let staged: SavedState | undefined;
  const holders: UsernsHolder[] = [];
  // A signal now must not leave half a container behind: note it, finish or
  // fail, undo, then report it.
  const signals = trapSignals();
  try {
    return await dir.locked(async () => {
      const cg = createCgroupManager({
        id: opts.id,
        systemd: opts.systemdCgroup,
        ...(spec.linux?.cgroupsPath ? { cgroupsPath: spec.linux.cgroupsPath } : {}),
      });
      // As runc 1.2: a cgroup with processes in it is someone else's. Refused before
      // it becomes ours to undo, which would kill those processes.
      const found = cg.pids();
      if (found.length > 0) {
        throw new RuntsError(`container's cgroup is not empty: ${found.length} process(es) found`, {
          step: "cgroup create",
          path: cg.toState().cgroupsPath,
        });
      }
      cgroup = cg;
      const rootfs = rootfsPath(opts.bundle, spec);
      const annotations = annotationsOf(spec);
      const idmapUserns = await holdIdmapUserns(spec, shim, holders);
      const plan = buildPlan({
        spec,
        bundle: opts.bundle,
        rootfs,
        execFifo: dir.fifo,
        noPivot: opts.noPivot,
        ...(opts.noNewKeyring ? {} : { sessionKeyring: `_ses.${opts.id}` }),
        preserveFds: listenFds + opts.preserveFds,
        ...(listenFds ? { extraEnv: [`LISTEN_FDS=${listenFds}`, "LISTEN_PID=1"] } : {}),
        cgroupMounts: cgroupMounts(cg),
        idmapUserns,
        // As runc, which works from inside the bundle: a relative socket path is under it.
        ...(opts.consoleSocket ? { consoleSocket: resolve(opts.bundle, opts.consoleSocket) } : {}),
        ...(opts.pidfdSocket ? { pidfdSocket: resolve(opts.bundle, opts.pidfdSocket) } : {}),
      });
      mark("plan built");
      libc.mkfifo(dir.fifo, 0o622);
      for (const note of plan.notes) await log(note.level, note.message);
      const view = { id: opts.id, bundle: opts.bundle, ...(annotations ? { annotations } : {}) };
      // The cgroup.procs files, opened while runts-init clones: moving the
      // container process in is then one write per hierarchy.
      let joining: CgroupJoin | undefined;
      // The limits are set in two parts. All but the devices rules: while
      // runts-init clones (the process joins a cgroup with them set). The
      // devices rules, the costly part (emulated as runc does, then written):
      // while the process makes its mounts (see afterCgroupSync). The cpuset is
      // in the first part: an initial CPU affinity, set right after the cgroup
      // sync, is not reset by it later.
      const limits = { ...spec.linux?.resources, devices: undefined };
      const devices = deviceCgroupRules(spec);
      const launched = await launch(plan, init, {
        // The plan goes once the cgroup migration warm-up is over: sent while
        // it was pending, the clone and the cgroup directories below were
        // measured to hold each other up (a pending migration keeps the cgroup
        // locks through an RCU grace period).
        onSpawn: () => warm,
        // While runts-init clones the container process, which then waits at its
        // cgroup sync. Made only now: a config the planner refuses leaves no
        // cgroup to undo.
        onSent: () => {
          cg.create();
          // Recorded before anything runs in it: should this process die before
          // state.json, `delete --force` finds the cgroup (later the pid) here.
          dir.stage(savedState(opts, spec, 0, rootfs, cg));
          mark("cgroup dirs made");
          cg.apply(limits);
          joining = cg.openJoin();
        },
        placeCloned: (p) => {
          (joining ?? cg).join(p);
          joining?.close();
          mark("cgroup joined");
        },
        // As runc (which sets its limits once its init has mounted the rootfs):
        // the devices rules are written while the container process makes its
        // mounts on the other CPU; it waits for them at its "sync limits",
        // before any device node, hook or process of the user's (written while
        // it made device nodes, the rules' deny-all-then-allow would break its
        // mknod now and then).
        afterCgroupSync: (p) => {
          // First its state, pid included, written beside state.json (put in
          // place at "created"): what `delete --force` finds should this
          // process die now. (The devices rules are not part of it.)
          staged = savedState(opts, spec, p, rootfs, cg);
          dir.stage(staged);
          mark("state staged");
          cg.apply({ devices });
          mark("cgroup resources set");
        },
        onCloned: (p) => {
          pid = p;
        },
        onReady: async () => {
          const creating = hookState({ ...view, pid }, "creating");
          await runHooks("prestart", spec.hooks?.prestart, creating);
          await runHooks("createRuntime", spec.hooks?.createRuntime, creating);
          return plan.hookStates ? [creating, hookState({ ...view, pid }, "created")] : undefined;
        },
      }).finally(() => joining?.close());
      mark("container created");
      // launch returns only once the pid came, and with it the staged state.
      const state = staged;
      if (!state) throw new RuntsError("container init did not report its pid", { step: "sync" });
      await signals.check();
      dir.publish();
      if (opts.pidFile) writePidFile(opts.pidFile, pid);
      for (const h of holders.splice(0)) h.release();
      mark("state saved");
      return { state, dir, ...(launched.ptyMaster !== undefined ? { ptyMaster: launched.ptyMaster } : {}) };
    });
  } catch (err) {
    for (const h of holders.splice(0)) h.release();
    if (pid > 0) await reap(pid, libc.waitChild);
    try {
      // Anything the container process left (a hook's child, say) goes too,
      // as kill --all does it: no fork escapes.
      if (cgroup) (await import("./kill.js")).signalAll(cgroup, SIGKILL);
      cgroup?.destroy();
    } finally {
      dir.remove();
    }
    const late = signals.received();
    if (late) throw new RuntsError(`interrupted by ${late}`, { container: opts.id }, 128 + (signalNumber(late) ?? 0));
    if (err instanceof RuntsError && !err.context.container) {
      throw new RuntsError(err.message, { ...err.context, container: opts.id }, err.exitCode);
    }
    throw err;
  } finally {
    signals.release();
  }
}

const TRAPPED: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"];

/** Hold termination signals while a container is being made; check() throws once one came. */
function trapSignals(): { check(): Promise<void>; received(): NodeJS.Signals | undefined; release(): void } {
  let got: NodeJS.Signals | undefined;
  const note = (sig: NodeJS.Signals) => {
    got ??= sig;
  };
  for (const sig of TRAPPED) process.on(sig, note);
  return {
    async check() {
      // Signal handlers run between event loop turns: give them one.
      await new Promise((r) => setImmediate(r));
      if (got) throw new RuntsError(`interrupted by ${got}`);
    },
    received: () => got,
    release() {
      for (const sig of TRAPPED) process.off(sig, note);
    },
  };
}

/** Descriptors passed to us by socket activation (LISTEN_FDS for our own pid), as runc honours them. */
function socketActivationFds(): number {
  const n = Number(process.env["LISTEN_FDS"] ?? "0");
  if (!Number.isInteger(n) || n <= 0 || process.env["LISTEN_PID"] !== String(process.pid)) return 0;
  return n;
}

/** Each namespace of the container by its path: the config's, or the init process's own. */
function namespacePaths(spec: Spec, pid: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const ns of spec.linux?.namespaces ?? []) out[ns.type] = ns.path ?? `/proc/${pid}/ns/${nsFile(ns.type)}`;
  return out;
}

function annotationsOf(spec: Spec): Record<string, string> | undefined {
  return spec.annotations && Object.keys(spec.annotations).length ? spec.annotations : undefined;
}

/** What state.json records: enough for every later command, without config.json. */
function savedState(opts: CreateOptions, spec: Spec, pid: number, rootfs: string, cg: CgroupManager): SavedState {
  const annotations = annotationsOf(spec);
  return {
    ociVersion: OCI_VERSION,
    id: opts.id,
    pid,
    pidStartTime: (pid > 0 && procStat(pid)?.startTime) || "",
    bundle: opts.bundle,
    rootfs,
    created: new Date().toISOString(),
    owner: "",
    ...(annotations ? { annotations } : {}),
    cgroup: cg.toState(),
    ...(spec.process ? { process: spec.process } : {}),
    namespaces: namespacePaths(spec, pid),
    ...(spec.hooks?.poststart?.length || spec.hooks?.poststop?.length
      ? { hooks: { poststart: spec.hooks.poststart ?? [], poststop: spec.hooks.poststop ?? [] } }
      : {}),
  };
}

/** A user namespace holding the mappings of each idmapped mount (by index in spec.mounts). */
async function holdIdmapUserns(spec: Spec, shim: string, holders: UsernsHolder[]): Promise<Map<number, string>> {
  const paths = new Map<number, string>();
  for (const [i, m] of (spec.mounts ?? []).entries()) {
    if (!m.uidMappings || !m.gidMappings) continue;
    const { holdUserns } = await import("../launcher/idmap.js");
    const holder = await holdUserns(shim, m.uidMappings, m.gidMappings);
    holders.push(holder);
    paths.set(i, holder.path);
  }
  return paths;
}

/** The container's init is our child: kill it and wait, so its cgroup can go. */
async function reap(pid: number, wait: (pid: number) => Promise<unknown>): Promise<void> {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    return;
  }
  await wait(pid).catch(() => undefined);
}

function nsFile(type: string): string {
  return type === "network" ? "net" : type === "mount" ? "mnt" : type;
}

/** The hierarchies a "cgroup" mount in config.json shows inside the container. */
function cgroupMounts(cg: CgroupManager): CgroupMount[] {
  const { mode, hierarchies } = cg.toState();
  if (mode === "v2") return hierarchies.map((h) => ({ name: "", hostPath: h.dir }));
  return hierarchies.map((h) => ({ name: basename(h.mountpoint), hostPath: h.dir }));
}

