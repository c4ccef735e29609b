/**
 * The test harness itself, against whichever runtime RUNTS_BIN names
 * (default dist/runts; RUNTS_BIN=/usr/sbin/runc for a reference run).
 */
import { existsSync, mkdirSync, readFileSync, readlinkSync, rmdirSync } from "node:fs";
import { execFileSync } from "node:child_process";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { makeBundle, minimalConfig } from "../helpers/bundle.js";
import { isRoot, newContainerId } from "../helpers/context.js";
import { useRuntimeEnv } from "../helpers/harness.js";
import { diffLeaks, snapshotLeaks } from "../helpers/leaks.js";
import { runts } from "../helpers/runtime.js";

describe.skipIf(!isRoot)("harness", () => {
  const env = useRuntimeEnv();

  test("the runtime answers --version, -v and `--version <command>` alike", async () => {
    const r = await runts(["--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^runts version \S+\nspec: \d+\.\d+\.\d+\S*\n$/);
    // `--version` alone takes a shortcut past the parser: the same answer.
    for (const args of [["-v"], ["--version", "state"], ["--root", "/tmp", "--version"]]) {
      const other = await runts(args);
      expect(other, args.join(" ")).toMatchObject({ code: 0, stdout: r.stdout, stderr: "" });
    }
  });

  test("run in the foreground shows the container's output", async () => {
    const bundle = await env.bundle();
    const r = await env.rt.run(bundle);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("hello from runts\nrunts\n");
    expect(r.code).toBe(0);
  });

  test("run returns the container's exit code", async () => {
    const bundle = await env.bundle({ args: ["sh", "-c", "echo oops >&2; exit 3"] });
    const r = await env.rt.run(bundle);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("oops");
  });

  test("the minimal config runs too", async () => {
    const bundle = await env.bundle({ config: minimalConfig });
    expect(bundle.config.process?.capabilities).toBeUndefined();
    const r = await env.rt.run(bundle);
    expect(r.stdout).toContain("hello from runts");
    expect(r.code).toBe(0);
  });

  test("create, start, state, kill, delete: created -> running -> stopped", async () => {
    const { rt } = env;
    const bundle = await env.bundle({ args: ["sleep", "1000"] });
    const id = await rt.create(bundle);

    const created = await rt.state(id);
    expect(created).toMatchObject({ id, status: "created", bundle: bundle.dir });
    expect(created.pid).toBeGreaterThan(0);
    expect(Number(readFileSync(rt.pidFile(id), "utf8"))).toBe(created.pid);

    await rt.start(id);
    const running = await rt.waitForStatus(id, "running");
    expect(running.pid).toBe(created.pid);

    await rt.kill(id, 9);
    await rt.waitForStatus(id, "stopped");

    await rt.delete(id);
    expect((await rt.exec(["state", id])).code).not.toBe(0);
    expect(rt.listStateDirs()).toEqual([]);
  });

  test("a detached container's output is readable, and cleanupAll removes a live one", async () => {
    const { rt } = env;
    const bundle = await env.bundle({ args: ["sh", "-c", "echo out; echo err >&2; exec sleep 1000"] });
    const id = await rt.create(bundle);
    await rt.start(id);
    await rt.waitForStatus(id, "running");
    const deadline = Date.now() + 5_000;
    while (!rt.output(id).stderr.includes("err") && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(rt.output(id)).toEqual({ stdout: "out\n", stderr: "err\n" });
    // Left running on purpose: the afterEach cleanup must delete it and find no leaks.
  });

  test("each bundle has its own rootfs copy", async () => {
    const first = await env.bundle({
      args: ["sh", "-c", "echo intruder:x:7:7::/:/bin/sh >> /etc/passwd && rm /bin/vi && echo x > /bin/vi"],
      mutate: (cfg) => {
        if (cfg.root) cfg.root.readonly = false;
      },
    });
    expect((await env.rt.run(first)).code).toBe(0);
    expect(readFileSync(path.join(first.rootfs, "etc/passwd"), "utf8")).toContain("intruder");
    const second = await env.bundle();
    expect(readFileSync(path.join(second.rootfs, "etc/passwd"), "utf8")).not.toContain("intruder");
    expect(readlinkSync(path.join(second.rootfs, "bin/vi"))).toBe("busybox");
  });

  test("the leak check sees a leftover cgroup and mount", async () => {
    const before = snapshotLeaks();
    const bundle = await makeBundle();
    const hierarchy = existsSync("/sys/fs/cgroup/pids") ? "/sys/fs/cgroup/pids" : "/sys/fs/cgroup";
    const cgroup = path.join(hierarchy, newContainerId());
    const target = path.join(bundle.rootfs, "tmp");
    let mounted = false;
    let cgroupMade = false;
    try {
      mkdirSync(cgroup);
      cgroupMade = true;
      execFileSync("mount", ["-t", "tmpfs", "tmpfs", target]);
      mounted = true;
      const leaks = diffLeaks(before, snapshotLeaks());
      expect(leaks.mounts).toEqual([target]);
      expect(leaks.cgroups).toEqual([cgroup]);
      expect(leaks.tempDirs).toEqual([bundle.dir]);
    } finally {
      if (mounted) execFileSync("umount", [target]);
      if (cgroupMade) rmdirSync(cgroup);
      await bundle.cleanup();
    }
    expect(diffLeaks(before, snapshotLeaks()).mounts).toEqual([]);
  });
});
