/**
 * A runts create interrupted by a signal (an engine timing out, Ctrl-C)
 * undoes what it made: no cgroup, state dir, process or mount is left, and
 * it exits 128+signal. One killed outright leaves its state staged, and
 * `delete --force` undoes the rest from that.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { isAlive, isRoot, newContainerId } from "../helpers/context.js";
import { useFileLeakCheck } from "../helpers/core.js";
import { useRuntimeEnv } from "../helpers/harness.js";

describe.skipIf(!isRoot)("interrupted create", () => {
  useFileLeakCheck();
  const env = useRuntimeEnv();

  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    test(`${sig} while a createRuntime hook runs leaves nothing behind`, async () => {
      const b = await env.bundle({
        args: ["sleep", "100"],
        mutate: (cfg) => {
          cfg.hooks = { createRuntime: [{ path: "/bin/sh", args: ["sh", "-c", "sleep 1"] }] };
        },
      });
      const id = newContainerId();
      const child = spawn(env.rt.bin, ["--root", env.rt.root, "create", "--bundle", b.dir, id], { stdio: ["ignore", "pipe", "pipe"] });
      let stderr = "";
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      await new Promise((r) => setTimeout(r, 400));
      child.kill(sig);
      const code = await new Promise<number | null>((r) => child.on("exit", (c) => r(c)));
      expect(stderr).toContain(`interrupted by ${sig}`);
      expect(code).toBe(sig === "SIGINT" ? 130 : 143);
      expect(existsSync(path.join(env.rt.root, id))).toBe(false);
      // The harness's leak check after the test looks for cgroups, mounts and processes too.
    });
  }

  test("a create killed outright (SIGKILL) is undone by delete --force: its cgroup goes", async () => {
    const b = await env.bundle({
      args: ["sleep", "100"],
      mutate: (cfg) => {
        cfg.hooks = { createRuntime: [{ path: "/bin/sh", args: ["sh", "-c", "sleep 2"] }] };
      },
    });
    const id = newContainerId();
    const child = spawn(env.rt.bin, ["--root", env.rt.root, "create", "--bundle", b.dir, id], { stdio: "ignore" });
    await new Promise((r) => setTimeout(r, 500));
    child.kill("SIGKILL");
    await new Promise((r) => child.on("exit", r));
    // What the dead create left: no state.json, its staged state (with the container process, which
    // leaves by itself when its sync socket closes), its cgroup.
    const dir = path.join(env.rt.root, id);
    expect(existsSync(path.join(dir, "state.json"))).toBe(false);
    const staged = JSON.parse(readFileSync(path.join(dir, "state.json.tmp"), "utf8")) as {
      pid: number;
      cgroup: { hierarchies: Array<{ dir: string }> };
    };
    const cgroupDirs = staged.cgroup.hierarchies.map((h) => h.dir);
    expect(staged.pid).toBeGreaterThan(0);
    expect(cgroupDirs.filter((d) => existsSync(d))).toEqual(cgroupDirs);

    expect((await env.rt.exec(["delete", "--force", id])).code).toBe(0);
    expect(existsSync(dir)).toBe(false);
    expect(isAlive(staged.pid)).toBe(false);
    expect(cgroupDirs.filter((d) => existsSync(d))).toEqual([]);
  });
});
