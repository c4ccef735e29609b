/**
 * The cgroup managers on this machine's real cgroup filesystems (root only):
 * a sleeping process is put into a fresh <id> cgroup (under this process's own, runc's default) in every
 * hierarchy, checked through /proc/<pid>/cgroup, given a device list, killed,
 * and the cgroup removed without leaving anything behind.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { posix } from "node:path";
import { dirsContaining, sweepCgroupDirs } from "../helpers/cgroups.js";
import { afterEach, describe, expect, it } from "vitest";
import type { CgroupManager } from "../../src/cgroups/index.js";
import { cgroupManagerFromState, createCgroupManager, parseProcCgroup } from "../../src/cgroups/index.js";
import { initLibc } from "../../src/sys/libc.js";
import { isRoot, newContainerId } from "../helpers/context.js";

const ROOT = "/sys/fs/cgroup";


function sleeper(): ChildProcess {
  const child = spawn("sleep", ["100"], { stdio: "ignore" });
  if (child.pid === undefined) throw new Error("sleep did not start");
  return child;
}

function killAndWait(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
}

describe.skipIf(!isRoot)("cgroups on this host", () => {
  const children: ChildProcess[] = [];
  const managers: CgroupManager[] = [];
  const ids: string[] = [];

  function track(id: string, cgroupsPath?: string): CgroupManager {
    ids.push(id);
    const m = createCgroupManager(cgroupsPath === undefined ? { id } : { id, cgroupsPath });
    managers.push(m);
    return m;
  }

  afterEach(async () => {
    // Even when a test failed half-way: no process, no directory left.
    await Promise.all(children.splice(0).map(killAndWait));
    for (const m of managers.splice(0)) {
      try {
        m.destroy();
      } catch {
        // fall through to the sweep
      }
    }
    sweepCgroupDirs(ids.splice(0));
  });

  it("creates, joins, applies devices, lists pids and destroys <id> under the runtime's own cgroup in every hierarchy", async () => {
    const id = newContainerId();
    const m = track(id);
    const state0 = m.toState();
    expect(state0.cgroupsPath).toBe(id);
    const mounted = readFileSync("/proc/self/mountinfo", "utf8")
      .split("\n")
      .filter((l) => / - cgroup2? /.test(l) && l.split(" ")[4]?.startsWith(`${ROOT}/`)).length;
    if (m.mode !== "v2") {
      // One directory per mounted hierarchy (the unified one only in hybrid).
      expect(state0.hierarchies.length).toBe(mounted);
      expect(state0.hierarchies.some((h) => h.controllers.includes("name=systemd"))).toBe(
        existsSync(`${ROOT}/systemd`),
      );
    }

    m.create();
    expect(m.exists()).toBe(true);
    const state = m.toState();
    for (const h of state.hierarchies) {
      expect(existsSync(h.dir), h.dir).toBe(true);
      expect(h.created[h.created.length - 1]).toBe(h.dir);
    }

    const child = sleeper();
    children.push(child);
    const pid = child.pid as number;
    m.join(pid);

    // The kernel agrees: every hierarchy of the process shows the container's
    // path, <id> under this process's own cgroup there.
    const entries = parseProcCgroup(readFileSync(`/proc/${pid}/cgroup`, "utf8"));
    const ownEntries = parseProcCgroup(readFileSync("/proc/self/cgroup", "utf8"));
    expect(entries.length).toBe(state.hierarchies.length);
    for (const e of entries) {
      const h = state.hierarchies.find((x) =>
        e.hierarchyId === 0 ? x.unified : x.controllers.join(",") === e.controllers.join(","),
      );
      expect(h, `hierarchy ${e.controllers.join(",") || "unified"}`).toBeDefined();
      const own = ownEntries.find((o) => o.hierarchyId === e.hierarchyId)?.path ?? "/";
      // In the cgroup2 hierarchy, beside this process's own cgroup (under its parent).
      const base = e.hierarchyId === 0 ? posix.dirname(own) : own;
      expect(e.path, `hierarchy ${e.controllers.join(",") || "unified"}`).toBe(posix.join(base, id));
    }
    expect(m.pids()).toEqual([pid]);
    // A manager rebuilt from state sees the same.
    const again = cgroupManagerFromState(JSON.parse(JSON.stringify(state)));
    expect(again.pids()).toEqual([pid]);

    const devices = [
      { allow: false, access: "rwm" },
      { allow: true, type: "c", major: 1, minor: 3, access: "rwm" },
    ];
    const devicesHierarchy = state.hierarchies.find((h) => h.controllers.includes("devices"));
    if (devicesHierarchy) {
      m.apply({ devices });
      expect(readFileSync(`${devicesHierarchy.dir}/devices.list`, "utf8")).toBe("c 1:3 rwm\n");
    } else {
      // Pure v2: an eBPF filter (cgroups-host.test.ts checks what it does).
      await initLibc();
      m.apply({ devices });
    }

    await killAndWait(child);
    expect(m.pids()).toEqual([]);
    m.destroy();
    expect(m.exists()).toBe(false);
    expect(dirsContaining(id)).toEqual([]);
  });

  it("destroy waits out a task that is still exiting", () => {
    const id = newContainerId();
    const m = track(id);
    m.create();
    const child = sleeper();
    children.push(child);
    m.join(child.pid as number);
    // No waiting for the exit: rmdir meets EBUSY until the kernel is done.
    child.kill("SIGKILL");
    m.destroy();
    expect(dirsContaining(id)).toEqual([]);
  });

  it("destroy refuses, within about a second, a cgroup with a live process", async () => {
    const id = newContainerId();
    const m = track(id);
    m.create();
    const child = sleeper();
    children.push(child);
    m.join(child.pid as number);
    const t0 = performance.now();
    expect(() => m.destroy()).toThrow(/still busy/);
    const waited = performance.now() - t0;
    expect(waited).toBeGreaterThan(900);
    expect(waited).toBeLessThan(3000);
    expect(m.exists()).toBe(true);
    await killAndWait(child);
    m.destroy();
    expect(dirsContaining(id)).toEqual([]);
  });

  it("removes a shared parent it created only once no other container uses it", () => {
    const parent = newContainerId();
    ids.push(parent);
    const a = track(newContainerId(), `/${parent}/a`);
    const b = track(newContainerId(), `/${parent}/b`);
    a.create(); // makes /<parent> and /<parent>/a
    b.create(); // makes /<parent>/b only
    b.destroy();
    expect(b.exists()).toBe(false);
    for (const h of a.toState().hierarchies) expect(existsSync(h.dir), h.dir).toBe(true);
    a.destroy();
    expect(dirsContaining(parent)).toEqual([]);
  });

  it("keeps a shared parent another container still uses", () => {
    const parent = newContainerId();
    ids.push(parent);
    const a = track(newContainerId(), `/${parent}/a`);
    const b = track(newContainerId(), `/${parent}/b`);
    a.create();
    b.create();
    a.destroy();
    for (const h of b.toState().hierarchies) expect(existsSync(h.dir), h.dir).toBe(true);
    b.destroy();
    // b did not create the parent, and a could not remove it while b was there.
    const left = dirsContaining(parent);
    expect(left.length).toBe(b.toState().hierarchies.length);
    expect(left.every((d) => d.endsWith(`/${parent}`))).toBe(true);
  });

  it("resolves a relative path under this process's own cgroups (the cgroup2 one's parent)", () => {
    // Resolution only: nothing is created inside the cgroups this test runs in.
    const id = newContainerId();
    const m = createCgroupManager({ id, cgroupsPath: `sub/${id}` });
    const own = parseProcCgroup(readFileSync("/proc/self/cgroup", "utf8"));
    for (const h of m.toState().hierarchies) {
      const e = own.find((x) => (h.unified ? x.hierarchyId === 0 : x.controllers.join(",") === h.controllers.join(",")));
      expect(e, h.mountpoint).toBeDefined();
      const base = h.unified ? posix.dirname(e?.path ?? "/") : (e?.path ?? "/");
      expect(h.path).toBe(posix.join(base, "sub", id));
      expect(existsSync(h.base), h.base).toBe(true);
      expect(h.dir).toBe(`${h.base}/sub/${id}`);
    }
  });

  it("create + join + destroy is fast", async () => {
    const rounds = 20;
    let createJoin = 0;
    let destroy = 0;
    for (let i = 0; i < rounds; i++) {
      const id = newContainerId();
      const child = sleeper();
      children.push(child);
      const t0 = performance.now();
      const m = track(id);
      m.create();
      m.join(child.pid as number);
      createJoin += performance.now() - t0;
      await killAndWait(child);
      const t1 = performance.now();
      m.destroy();
      destroy += performance.now() - t1;
    }
    const perCreateJoin = createJoin / rounds;
    const perDestroy = destroy / rounds;
    console.log(
      `[cgroups] ${managers[0]?.mode}: create+join ${perCreateJoin.toFixed(2)} ms, destroy ${perDestroy.toFixed(2)} ms (mean of ${rounds})`,
    );
    expect(perCreateJoin + perDestroy).toBeLessThan(50);
  });
});
