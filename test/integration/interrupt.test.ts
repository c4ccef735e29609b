/**
 * A runts create interrupted by a signal (an engine timing out, Ctrl-C)
 * undoes what it made: no cgroup, state dir, process or mount is left, and
 * it exits 128+signal. One killed outright leaves its state staged, and
 * `delete --force` undoes the rest from that.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { isAlive, isRoot, newContainerId } from "../helpers/context.js";
import { useFileLeakCheck, waitUntil } from "../helpers/core.js";
import { useRuntimeEnv } from "../helpers/harness.js";

/** What state.json.tmp holds of a create that has its container process. */
interface Staged {
  pid: number;
  cgroup: { hierarchies: Array<{ dir: string }> };
}

describe.skipIf(!isRoot)("interrupted create", () => {
  useFileLeakCheck();
  const env = useRuntimeEnv();

  /**
   * Start `runts create` (with --root and --log) of a container whose
   * createRuntime hook keeps runts busy for `seconds`: the hook notes its pid
   * (hookPid()), then waits as long as runts, its parent, lives. Killed
   * outright, runts cannot end its hook: the hook then leaves by itself
   * (within 50 ms of runts being reaped), and has the container id in its
   * argv for the leak check should it not.
   * stop() kills runts and waits for the hook to be gone: call it in a finally.
   */
  async function createWithHook(seconds: number): Promise<{
    id: string;
    child: ChildProcess;
    exited: Promise<number | null>;
    stderr(): string;
    hookPid(): number | undefined;
    stop(): Promise<void>;
  }> {
    const id = newContainerId();
    const pidFile = path.join(env.rt.base, `${id}.hook-pid`);
    const wait = `echo $$ > "$1"; i=0; while [ $i -lt ${seconds * 20} ] && kill -0 $PPID 2>/dev/null; do sleep 0.05; i=$((i+1)); done`;
    const b = await env.bundle({
      args: ["sleep", "100"],
      mutate: (cfg) => {
        cfg.hooks = { createRuntime: [{ path: "/bin/sh", args: ["sh", "-c", wait, id, pidFile] }] };
      },
    });
    // Output to files, as rt.create does: complete once runts has exited (a pipe may still be draining).
    const files = env.rt.ioFiles(id);
    const out = openSync(files.stdout, "a");
    const err = openSync(files.stderr, "a");
    let child: ChildProcess;
    try {
      child = spawn(env.rt.bin, env.rt.args(["create", "--bundle", b.dir, id]), { stdio: ["ignore", out, err] });
    } finally {
      closeSync(out);
      closeSync(err);
    }
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    const hookPid = (): number | undefined => {
      const text = existsSync(pidFile) ? readFileSync(pidFile, "utf8").trim() : "";
      return text === "" ? undefined : Number(text);
    };
    return {
      id,
      child,
      exited,
      stderr: () => env.rt.output(id).stderr,
      hookPid,
      async stop() {
        child.kill("SIGKILL");
        await exited;
        const pid = hookPid();
        if (pid !== undefined) await waitUntil(() => !isAlive(pid), `the createRuntime hook (pid ${pid}) to leave with runts`);
      },
    };
  }

  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    test(`${sig} while a createRuntime hook runs leaves nothing behind`, async () => {
      const create = await createWithHook(1);
      try {
        await waitUntil(() => create.hookPid() !== undefined, "the createRuntime hook to start", 10_000);
        create.child.kill(sig);
        const code = await create.exited;
        expect(create.stderr()).toContain(`interrupted by ${sig}`);
        expect(code).toBe(sig === "SIGINT" ? 130 : 143);
        expect(existsSync(path.join(env.rt.root, create.id))).toBe(false);
        // The harness's leak check after the test looks for cgroups, mounts and processes too.
      } finally {
        await create.stop();
      }
    });
  }

  test("a create killed outright (SIGKILL) is undone by delete --force: its cgroup goes", async () => {
    const create = await createWithHook(10);
    const dir = path.join(env.rt.root, create.id);
    const stagedFile = path.join(dir, "state.json.tmp");
    const readStaged = (): Staged | undefined => {
      try {
        return JSON.parse(readFileSync(stagedFile, "utf8")) as Staged;
      } catch {
        return undefined; // not there yet, or being written
      }
    };
    try {
      // Killed once the container process exists (its pid staged) and runts runs the hook.
      await waitUntil(
        () => (readStaged()?.pid ?? 0) > 0 && create.hookPid() !== undefined,
        "the staged state to have a pid and the hook to start",
        10_000,
      );
      create.child.kill("SIGKILL");
      await create.exited;
      // What the dead create left: no state.json, its staged state (with the container process, which
      // leaves by itself when its sync socket closes), its cgroup.
      expect(existsSync(path.join(dir, "state.json"))).toBe(false);
      const staged = readStaged();
      expect(staged?.pid).toBeGreaterThan(0);
      const cgroupDirs = (staged?.cgroup.hierarchies ?? []).map((h) => h.dir);
      expect(cgroupDirs.length).toBeGreaterThan(0);
      expect(cgroupDirs.filter((d) => existsSync(d))).toEqual(cgroupDirs);

      expect((await env.rt.exec(["delete", "--force", create.id])).code).toBe(0);
      expect(existsSync(dir)).toBe(false);
      expect(cgroupDirs.filter((d) => existsSync(d))).toEqual([]);
    } finally {
      await create.stop();
    }
  });
});
