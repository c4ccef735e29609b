/**
 * Small helpers shared by the core integration tests (test/integration/core-*.test.ts):
 * run a shell script in a container and read its output, keep a container
 * running to look at it from the host, parse mountinfo, compare namespaces,
 * and a per-file leak check for afterAll.
 */
import { execFileSync } from "node:child_process";
import { readlinkSync } from "node:fs";
import { afterAll, beforeAll } from "vitest";
import type { Bundle, MakeBundleOptions, OciConfig } from "./bundle.js";
import { runCmd, type CmdResult } from "./cmd.js";
import type { RuntimeEnv } from "./harness.js";
import { assertNoLeaks, snapshotLeaks, type LeakSnapshot } from "./leaks.js";
export { isAlive } from "./context.js";
import type { RunResult, Runtime } from "./runtime.js";

export type Mutate = (cfg: OciConfig) => OciConfig | void;

/** Run `sh -c script` in the foreground in a fresh bundle; returns the runtime's result and the bundle. */
export async function runScript(
  env: RuntimeEnv,
  script: string,
  opts: Omit<MakeBundleOptions, "args"> & { extra?: string[] } = {},
): Promise<RunResult & { id: string; bundle: Bundle }> {
  const { extra, ...bundleOpts } = opts;
  const bundle = await env.bundle({ ...bundleOpts, args: ["sh", "-c", script] });
  const r = await env.rt.run(bundle, undefined, extra ?? []);
  return { ...r, bundle };
}

/** Like runScript, but fails (with the runtime's stderr and log) unless the container exits 0. */
export async function runOk(
  env: RuntimeEnv,
  script: string,
  opts: Omit<MakeBundleOptions, "args"> & { extra?: string[] } = {},
): Promise<string> {
  const r = await runScript(env, script, opts);
  if (r.code !== 0) {
    throw new Error(
      `container exited ${r.code ?? r.signal}: sh -c ${JSON.stringify(script)}\nstdout: ${r.stdout}\nstderr: ${r.stderr}\nlog:\n${env.rt.logTail()}`,
    );
  }
  return r.stdout;
}

export interface Running {
  id: string;
  pid: number;
  bundle: Bundle;
}

/** create + start a container running `args` (default: sleep 1000) and wait for "running". */
export async function startContainer(
  env: RuntimeEnv,
  opts: MakeBundleOptions & { extra?: string[] } = {},
): Promise<Running> {
  const { extra, ...bundleOpts } = opts;
  const bundle = await env.bundle({ args: ["sleep", "1000"], ...bundleOpts });
  const id = await env.rt.create(bundle, undefined, extra ?? []);
  await env.rt.start(id);
  const st = await env.rt.waitForStatus(id, "running");
  return { id, pid: st.pid, bundle };
}

/** `readlink /proc/<pid>/ns/<ns>`, e.g. "net:[4026531992]". */
export function nsLink(pid: number | "self", ns: string): string {
  return readlinkSync(`/proc/${pid}/ns/${ns}`);
}


export async function waitUntil(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export { hostMountpoints, mountAt, parseMountinfo, type MountInfoEntry } from "./mountinfo.js";

/**
 * Per-file leak check: snapshot before the file's first test, and after its
 * last one assert that nothing of this run (mount, cgroup, process, state or
 * temp dir) is left on the host. Open fds are not compared (vitest's own come and go).
 */
export function useFileLeakCheck(): void {
  let before: LeakSnapshot | undefined;
  beforeAll(() => {
    before = { ...snapshotLeaks(), fds: [] };
  });
  afterAll(() => {
    if (before === undefined) return;
    const b = before;
    assertNoLeaks({ ...b, fds: snapshotLeaks().fds });
  });
}

export type SpawnResult = CmdResult;

/**
 * Run the runtime as `rt.exec` does (--root/--log/--log-format json), with
 * extra descriptors from fd 3 on (`extraFds`), or stdin from a pipe fed with
 * `input` and then closed. Killed after `timeoutMs` (default 20 s).
 */
export function spawnRuntime(
  rt: Runtime,
  args: string[],
  opts: { extraFds?: number[]; input?: string; timeoutMs?: number } = {},
): Promise<SpawnResult> {
  return runCmd(rt.bin, rt.args(args), {
    extraFds: opts.extraFds,
    input: opts.input,
    timeoutMs: opts.timeoutMs ?? 20_000,
  });
}

/**
 * Run the runtime (as spawnRuntime does, with `env` added) as a child of a
 * python3 that is a child subreaper (PR_SET_CHILD_SUBREAPER), so that
 * processes it leaves behind come to python rather than to the host's init
 * (which may reap them unseen). Returns its exit code and the pids of those
 * left: reaped zombies, and "<pid> running" for any still alive after a
 * second, which are then killed and reaped so that none outlives the test.
 * Output is discarded, so a leftover holding the runtime's stdio cannot hang
 * it; the whole is bounded by timeouts. Throws if python cannot become a
 * subreaper: leftovers would then go to init, and "none left" would prove nothing.
 */
export function underSubreaper(
  rt: Runtime,
  args: string[],
  env: Record<string, string> = {},
): { code: number; left: Array<number | string> } {
  const argv = [...Object.entries(env).map(([k, v]) => `${k}=${v}`), rt.bin, ...rt.args(args)];
  const script = String.raw`
import ctypes, json, os, signal, subprocess, sys, time
libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(36, 1, 0, 0, 0) != 0:  # PR_SET_CHILD_SUBREAPER
    e = ctypes.get_errno()
    raise OSError(e, "prctl(PR_SET_CHILD_SUBREAPER): " + os.strerror(e))
null = subprocess.DEVNULL
code = subprocess.run(["env", *sys.argv[1:]], stdin=null, stdout=null, stderr=null, timeout=20).returncode
left = []
def children():
    me = str(os.getpid())
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/status") as f:
                ppid = next((l.split()[1] for l in f if l.startswith("PPid:")), None)
        except OSError:
            continue  # gone
        if ppid == me:
            found.append(int(name))
    return found
deadline = time.time() + 1
while True:
    try:
        pid, _ = os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        break
    if pid:
        left.append(pid)
    elif time.time() > deadline:
        # Still alive: kill and reap them (and what they leave to us in turn).
        for pid in children():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
            left.append(f"{pid} running")
        deadline = time.time() + 1
    else:
        time.sleep(0.02)
print(json.dumps({"code": code, "left": left}))
`;
  return JSON.parse(execFileSync("python3", ["-c", script, ...argv], { encoding: "utf8", timeout: 30_000 })) as {
    code: number;
    left: Array<number | string>;
  };
}
