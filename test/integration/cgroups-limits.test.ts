/**
 * linux.resources on real containers: each limit is visible in the
 * container's cgroup files on the host and does what it says from inside
 * (an allocator dies of OOM with 137, a fork loop hits the pids limit, the
 * cpuset pins the process, device rules refuse a block device with EPERM).
 */
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import type { OciConfig } from "../helpers/bundle.js";
import { isRoot, newContainerId } from "../helpers/context.js";
import { runScript, startContainer, underSubreaper } from "../helpers/core.js";
import { cgroupDir, cgroupDirOf, dirsContaining, hostIsV2, readCgroupFile } from "../helpers/cgroups.js";
import { useRuntimeEnv } from "../helpers/harness.js";

type Resources = Record<string, unknown>;

const withResources =
  (r: Resources) =>
  (cfg: OciConfig): void => {
    const linux = (cfg.linux ??= {});
    linux.resources = { ...(linux.resources ?? {}), ...r };
  };

function read(dir: string, file: string): string {
  return readFileSync(`${dir}/${file}`, "utf8").trim();
}

describe.skipIf(!isRoot)("cgroups: limits of real containers", () => {
  const env = useRuntimeEnv();

  /** create (not start) a container with `r`; returns its init pid for cgroupDir(). */
  async function created(r: Resources): Promise<{ id: string; pid: number }> {
    const b = await env.bundle({ args: ["true"], mutate: withResources(r) });
    const id = await env.rt.create(b);
    const st = await env.rt.state(id);
    return { id, pid: st.pid };
  }

  test("memory: the limit is in the container's cgroup files; an allocator beyond it dies of OOM (137)", async () => {
    const limit = 32 << 20;
    // memory+swap only where the kernel accounts swap (v1 memsw files, or v2).
    const swap = hostIsV2() || existsSync("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes") ? { swap: limit } : {};
    const c = await created({ memory: { limit, ...swap, reservation: 16 << 20 } });
    if (hostIsV2()) {
      const d = cgroupDir(c.pid);
      expect(read(d, "memory.max")).toBe(String(limit));
      expect(read(d, "memory.low")).toBe(String(16 << 20));
    } else {
      const d = cgroupDir(c.pid, "memory");
      expect(read(d, "memory.limit_in_bytes")).toBe(String(limit));
      expect(read(d, "memory.soft_limit_in_bytes")).toBe(String(16 << 20));
      if ("swap" in swap) expect(read(d, "memory.memsw.limit_in_bytes")).toBe(String(limit));
    }
    await env.rt.delete(c.id, { force: true });

    // From inside, through the container's own cgroup mount, then the allocator.
    const file = hostIsV2() ? "/sys/fs/cgroup/memory.max" : "/sys/fs/cgroup/memory/memory.limit_in_bytes";
    const r = await runScript(env, `cat ${file}; exec dd if=/dev/zero of=/dev/null bs=128M count=1`, {
      mutate: withResources({ memory: { limit, ...swap } }),
    });
    expect(r.stdout.trim()).toBe(String(limit));
    expect(r.code).toBe(137);
  });

  test("pids: a fork loop stops at the limit", async () => {
    const c = await created({ pids: { limit: 10 } });
    expect(read(cgroupDir(c.pid, "pids"), "pids.max")).toBe("10");
    await env.rt.delete(c.id, { force: true });
    const cur = hostIsV2() ? "/sys/fs/cgroup/pids.current" : "/sys/fs/cgroup/pids/pids.current";
    const r = await runScript(
      env,
      // The loop runs in a subshell, which dies when fork fails; then builtins
      // only: there is no pid left to fork with.
      `(i=0; while [ $i -lt 40 ]; do sleep 100 & i=$((i+1)); done) 2>/tmp/fork.err; read n < ${cur}; echo $n; read e < /tmp/fork.err; echo "$e"`,
      {
        mutate: (cfg) => {
          withResources({ pids: { limit: 10 } })(cfg);
          if (cfg.root) cfg.root.readonly = false;
        },
      },
    );
    expect(r.code, r.stderr).toBe(0);
    const [current, err] = r.stdout.trim().split("\n");
    expect(Number(current)).toBeLessThanOrEqual(10);
    expect(err).toMatch(/can't fork|Resource temporarily unavailable/);
  });

  test("cpu: shares, quota and period are written and read back", async () => {
    const c = await created({ cpu: { shares: 512, quota: 25000, period: 50000 } });
    if (hostIsV2()) {
      const d = cgroupDir(c.pid);
      expect(read(d, "cpu.max")).toBe("25000 50000");
      expect(read(d, "cpu.weight")).toBe("20");
    } else {
      const d = cgroupDir(c.pid, "cpu");
      expect(read(d, "cpu.shares")).toBe("512");
      expect(read(d, "cpu.cfs_quota_us")).toBe("25000");
      expect(read(d, "cpu.cfs_period_us")).toBe("50000");
    }
  });

  test("cpuset: the container's processes run on the CPUs given, and only there", async () => {
    const c = await created({ cpu: { cpus: "0", mems: "0" } });
    const d = hostIsV2() ? cgroupDir(c.pid) : cgroupDir(c.pid, "cpuset");
    expect(read(d, "cpuset.cpus")).toBe("0");
    expect(read(d, "cpuset.mems")).toBe("0");
    await env.rt.delete(c.id, { force: true });
    const r = await runScript(env, "grep Cpus_allowed_list /proc/self/status", {
      mutate: withResources({ cpu: { cpus: "0" } }),
    });
    expect(r.stdout.trim()).toMatch(/^Cpus_allowed_list:\s+0$/);
  });

  test("devices: /dev/null is allowed, a block device node outside the rules is refused with EPERM", async () => {
    const r = await runScript(env, "echo x > /dev/null && echo null-ok; (echo x > /dev/blk-denied) 2>&1; echo rc=$?", {
      mutate: (cfg) => {
        const linux = (cfg.linux ??= {});
        linux.devices = [{ path: "/dev/blk-denied", type: "b", major: 7, minor: 0, fileMode: 0o666 }];
      },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^null-ok\n.*blk-denied: Operation not permitted\nrc=[12]\n$/s);
  });

  test("hugepage limits land where the host has hugetlb (on a hybrid host without v1 hugetlb: the cgroup2 mount)", async () => {
    if (!existsSync("/sys/kernel/mm/hugepages/hugepages-2048kB")) return;
    const limit = 4 << 20;
    const r = { hugepageLimits: [{ pageSize: "2MB", limit }] };
    const v1 = !hostIsV2() && cgroupDirOf(process.pid, "hugetlb") !== undefined;
    const unifiedRoot = hostIsV2() ? "/sys/fs/cgroup" : "/sys/fs/cgroup/unified";
    const offered = existsSync(`${unifiedRoot}/cgroup.controllers`) && read(unifiedRoot, "cgroup.controllers").split(" ").includes("hugetlb");
    if (!v1 && !offered) {
      const b = await env.bundle({ args: ["true"], mutate: withResources(r) });
      expect((await env.rt.exec(["create", "--bundle", b.dir, newContainerId()])).code).toBe(1);
      expect(env.rt.logTail(1)).toMatch(/needs the hugetlb cgroup controller/);
      return;
    }
    const c = await created(r);
    if (v1) expect(read(cgroupDir(c.pid, "hugetlb"), "hugetlb.2MB.limit_in_bytes")).toBe(String(limit));
    else expect(read(cgroupDir(c.pid), "hugetlb.2MB.max")).toBe(String(limit));
  });

  test("a limit this host cannot take is refused at create, naming the controller, and nothing is left", async () => {
    const mounted = (c: string): boolean => readFileSync("/proc/self/cgroup", "utf8").split("\n").some((l) => l.split(":")[1]?.split(",").includes(c));
    if (hostIsV2() || mounted("net_cls")) return;
    const b = await env.bundle({ args: ["true"], mutate: withResources({ network: { classID: 0x100001 } }) });
    const r = await env.rt.exec(["create", "--bundle", b.dir, newContainerId()]);
    expect(r.code).toBe(1);
    expect(env.rt.logTail(1)).toMatch(/network.classID needs the net_cls cgroup controller, which is not mounted/);
    expect(env.rt.listStateDirs()).toEqual([]);
  });

  test("a value the kernel refuses fails create once the container process exists, and leaves no process, zombie, cgroup or state", async () => {
    // Resources are written while runts-init clones the container process:
    // this failure comes after the clone, so that process must be killed and reaped.
    const b = await env.bundle({ args: ["true"], mutate: withResources({ cpu: { cpus: "999" } }) });
    const id = newContainerId();
    const { rt } = env;
    const r = underSubreaper(rt, ["create", "--bundle", b.dir, id]);
    expect(r.code).toBe(1);
    expect(rt.logTail(1)).toMatch(/cpuset\.cpus/);
    expect(rt.listStateDirs()).toEqual([]);
    expect(dirsContaining(id)).toEqual([]);
    // Whatever runts left unreaped came to the subreaper: nothing may have.
    expect(r.left).toEqual([]);
  });

  test("a cgroup with processes in it is refused at create (as runc 1.2), and they are left alone", async () => {
    const shared = `/runts-shared-${newContainerId()}`;
    const withPath = (cfg: OciConfig): void => {
      (cfg.linux ??= {}).cgroupsPath = shared;
    };
    const first = await startContainer(env, { mutate: withPath });
    const b = await env.bundle({ args: ["true"], mutate: withPath });
    const id = newContainerId();
    const r = await env.rt.exec(["create", "--bundle", b.dir, id]);
    expect(r.code).toBe(1);
    expect(env.rt.logTail(1)).toMatch(/container's cgroup is not empty: 1 process\(es\) found/);
    expect(env.rt.listStateDirs()).toEqual([first.id]);
    expect((await env.rt.state(first.id)).status).toBe("running");
    expect(readCgroupFile(first.pid, "pids", "cgroup.procs").split("\n")).toContain(String(first.pid));
  });
});
