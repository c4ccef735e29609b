/**
 * exec: a second process in a running container, observed from inside (its
 * namespaces, cgroup, identity, environment) and from the host (exit codes,
 * pid file, detached processes, errors).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { isRoot, tmpPrefix } from "../helpers/context.js";
import { isAlive, nsLink, startContainer, useFileLeakCheck, waitUntil } from "../helpers/core.js";
import { useRuntimeEnv } from "../helpers/harness.js";

describe.skipIf(!isRoot)("exec", () => {
  useFileLeakCheck();
  const env = useRuntimeEnv();

  test("joins the container's namespaces and cgroup", async () => {
    const c = await startContainer(env);
    const r = await env.rt.exec(["exec", c.id, "sh", "-c", "echo $$; hostname; readlink /proc/self/ns/net; readlink /proc/self/ns/mnt; cat /proc/self/cgroup"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const [pid, hostname, net, mnt, ...cgroups] = r.stdout.trim().split("\n");
    // pid 1 is the init; the exec'd shell is another pid of the container's pid namespace.
    expect(Number(pid)).toBeGreaterThan(1);
    expect(Number(pid)).toBeLessThan(100);
    expect(hostname).toBe("runts");
    expect(net).toBe(nsLink(c.pid, "net"));
    expect(mnt).toBe(nsLink(c.pid, "mnt"));
    expect(cgroups.some((l) => l.endsWith(`/${c.id}`))).toBe(true);
  });

  test("returns the process's exit code, and 128+signal when it is killed", async () => {
    const c = await startContainer(env);
    expect((await env.rt.exec(["exec", c.id, "sh", "-c", "exit 7"])).code).toBe(7);
    expect((await env.rt.exec(["exec", c.id, "sh", "-c", "kill -9 $$"])).code).toBe(137);
  });

  test("applies --env, --cwd, --user and --additional-gids on top of the config's process", async () => {
    const c = await startContainer(env, { mutate: (cfg) => void cfg.process!.env!.push("KEEP=yes", "FOO=old") });
    const r = await env.rt.check([
      "exec", "--env", "FOO=new", "--cwd", "/tmp", "--user", "1000:100", "--additional-gids", "5", c.id,
      "sh", "-c", "echo $KEEP $FOO $HOME; pwd; id -u; id -g; id -G",
    ]);
    expect(r.stdout.trim().split("\n")).toEqual(["yes new /home/user", "/tmp", "1000", "100", "100 5"]);
  });

  test("runs a process.json given with -p", async () => {
    const c = await startContainer(env);
    const dir = mkdtempSync(tmpPrefix("exec"));
    try {
      const file = path.join(dir, "process.json");
      const proc = { args: ["sh", "-c", "echo from-p $A; pwd"], env: ["A=1", "PATH=/bin"], cwd: "/proc", user: { uid: 0, gid: 0 } };
      await import("node:fs").then((fs) => fs.writeFileSync(file, JSON.stringify(proc)));
      const r = await env.rt.check(["exec", "-p", file, c.id]);
      expect(r.stdout).toBe("from-p 1\n/proc\n");
      // A bad process.json is refused with the field named.
      await import("node:fs").then((fs) => fs.writeFileSync(file, JSON.stringify({ ...proc, args: "sh" })));
      const bad = await env.rt.exec(["exec", "-p", file, c.id]);
      expect(bad.code).toBe(255);
      expect(bad.stderr).toContain("process.json: args: expected array of strings, got string");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("-d returns at once and writes the pid file; the process runs in the container", async () => {
    const c = await startContainer(env);
    const dir = mkdtempSync(tmpPrefix("exec"));
    try {
      const pidFile = path.join(dir, "exec.pid");
      const r = await env.rt.check(["exec", "-d", "--pid-file", pidFile, c.id, "sleep", "300"]);
      expect(r.stdout).toBe("");
      const pid = Number(readFileSync(pidFile, "utf8"));
      expect(isAlive(pid)).toBe(true);
      expect(nsLink(pid, "pid")).toBe(nsLink(c.pid, "pid"));
      const ps = JSON.parse((await env.rt.check(["ps", "--format", "json", c.id])).stdout) as number[];
      expect(ps.sort()).toEqual([c.pid, pid].sort());
      // delete --force reaches the exec'd process too.
      await env.rt.delete(c.id, { force: true });
      await waitUntil(() => !isAlive(pid), "exec'd process gone after delete -f");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("fails with runc's texts: a missing executable, an unknown or stopped container", async () => {
    const c = await startContainer(env);
    const missing = await env.rt.exec(["exec", c.id, "no-such-command"]);
    expect(missing.code).toBe(255);
    expect(missing.stderr).toContain('exec failed: container init: exec "no-such-command": executable file not found in $PATH');
    const unknown = await env.rt.exec(["exec", "runts-test-nope", "true"]);
    expect(unknown.code).toBe(255);
    expect(unknown.stderr).toContain("exec failed: container does not exist");
    await env.rt.kill(c.id, "KILL");
    await env.rt.waitForStatus(c.id, "stopped");
    const stopped = await env.rt.exec(["exec", c.id, "true"]);
    expect(stopped.code).toBe(255);
    expect(stopped.stderr).toContain("cannot exec in a stopped container");
  });

  test("a terminal: --tty without a console socket relays it; with -d it is refused", async () => {
    const c = await startContainer(env);
    const r = await env.rt.exec(["exec", "-t", c.id, "sh", "-c", "tty; exit 3"], { input: "" });
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/^\/dev\/pts\/\d+\r?\n$/);
    const detached = await env.rt.exec(["exec", "-t", "-d", c.id, "true"]);
    expect(detached.code).toBe(255);
    expect(detached.stderr).toContain("cannot allocate tty if runts will detach without setting console socket");
  });
});
