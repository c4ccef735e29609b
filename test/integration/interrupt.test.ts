/**
 * A runts create interrupted by a signal (an engine timing out, Ctrl-C)
 * undoes what it made: no cgroup, state dir, process or mount is left, and
 * it exits 128+signal.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { isRoot, newContainerId } from "../helpers/context.js";
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
});
