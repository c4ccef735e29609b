/**
 * Config: the security labels this host cannot honour (it has neither
 * AppArmor nor SELinux enabled: a non-empty value is an error that says so),
 * and `runts features`, which must list exactly what works: every hook kind,
 * namespace, capability and mount option it names is accepted by create, and
 * what works (idmapped mounts, tmpcopyup) is listed.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, readlinkSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import type { OciConfig } from "../helpers/bundle.js";
import { CAP_NAMES, createFails } from "../helpers/config.js";
import { isRoot } from "../helpers/context.js";
import { runOk, useFileLeakCheck } from "../helpers/core.js";
import { useRuntimeEnv } from "../helpers/harness.js";
import { runts } from "../helpers/runtime.js";

function readFlag(file: string): string {
  try {
    return readFileSync(file, "utf8").trim();
  } catch {
    return "";
  }
}

const apparmorEnabled = readFlag("/sys/module/apparmor/parameters/enabled") === "Y";
const selinuxEnabled = existsSync("/sys/fs/selinux/enforce");

interface Features {
  ociVersionMin: string;
  ociVersionMax: string;
  hooks: string[];
  mountOptions: string[];
  linux: {
    namespaces: string[];
    capabilities: string[];
    apparmor: { enabled: boolean };
    selinux: { enabled: boolean };
    seccomp?: { enabled: boolean };
    mountExtensions?: { idmap?: { enabled: boolean } };
  };
}

async function features(): Promise<Features> {
  const r = await runts(["features"]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Features;
}

describe.skipIf(!isRoot)("config: AppArmor and SELinux on a host that has neither", () => {
  useFileLeakCheck();
  const env = useRuntimeEnv();

  test("the precondition: this host has neither enabled", () => {
    expect(apparmorEnabled).toBe(false);
    expect(selinuxEnabled).toBe(false);
  });

  const cases: Array<[string, (cfg: OciConfig) => void, RegExp]> = [
    ["process.apparmorProfile", (cfg) => void (cfg.process!["apparmorProfile"] = "runts-default"), /AppArmor/],
    ["process.selinuxLabel", (cfg) => void (cfg.process!["selinuxLabel"] = "system_u:system_r:container_t:s0:c1,c2"), /SELinux/],
    ["linux.mountLabel", (cfg) => void (cfg.linux!["mountLabel"] = "system_u:object_r:container_file_t:s0:c1,c2"), /SELinux/],
  ];
  for (const [field, mutate, lsm] of cases) {
    test(`a non-empty ${field} is an error that says the host lacks it; nothing is created`, async () => {
      const b = await env.bundle({ args: ["true"], mutate });
      const r = await createFails(env, b);
      expect(r.error).toContain(field);
      expect(r.error).toMatch(lsm);
      expect(r.error).toMatch(/not enabled|lacks|not available/);
    });
  }

  test("empty values (what engines send for 'none') are accepted", async () => {
    const out = await runOk(env, "echo ok", {
      mutate: (cfg) => {
        cfg.process!["apparmorProfile"] = "";
        cfg.process!["selinuxLabel"] = "";
        cfg.linux!["mountLabel"] = "";
      },
    });
    expect(out).toBe("ok\n");
  });
});

describe.skipIf(!isRoot)("config: features lists exactly what works", () => {
  useFileLeakCheck();
  const env = useRuntimeEnv();

  test("apparmor and selinux enabled flags agree with the host", async () => {
    const f = await features();
    expect(f.linux.apparmor.enabled).toBe(apparmorEnabled);
    expect(f.linux.selinux.enabled).toBe(selinuxEnabled);
  });

  test("all six hook kinds, the eight namespaces and every capability are listed", async () => {
    const f = await features();
    expect([...f.hooks].sort()).toEqual(
      ["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"].sort(),
    );
    expect([...f.linux.namespaces].sort()).toEqual(["cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts"]);
    expect([...f.linux.capabilities].sort()).toEqual([...CAP_NAMES].sort());
  });

  test("idmapped mounts work, so mountExtensions.idmap.enabled is true and idmap/ridmap/tmpcopyup are listed", async () => {
    const f = await features();
    expect.soft(f.linux.mountExtensions?.idmap?.enabled, "mountExtensions.idmap.enabled").toBe(true);
    expect.soft(f.mountOptions.filter((o) => ["idmap", "ridmap", "tmpcopyup"].includes(o)).sort(), "mountOptions").toEqual(["idmap", "ridmap", "tmpcopyup"]);
  });

  test("the recursive options are listed", async () => {
    const f = await features();
    expect(f.mountOptions).toEqual(
      expect.arrayContaining(["rro", "rrw", "rnosuid", "rsuid", "rnodev", "rdev", "rnoexec", "rexec", "rrelatime", "rnoatime", "rstrictatime"]),
    );
  });

  test("every listed mount option is accepted on a bind mount by a real container", async () => {
    const f = await features();
    const plain = f.mountOptions.filter((o) => !["idmap", "ridmap", "tmpcopyup"].includes(o));
    const b = await env.bundle({ args: ["true"] });
    mkdirSync(path.join(b.dir, "src"));
    chmodSync(path.join(b.dir, "src"), 0o755);
    const failures: string[] = [];
    for (const opt of plain) {
      const cfg = structuredClone(b.config);
      cfg.mounts!.push({ destination: "/opt-test", type: "bind", source: path.join(b.dir, "src"), options: ["rbind", opt] });
      await b.writeConfig(cfg);
      const r = await env.rt.run(b);
      if (r.code !== 0) failures.push(`${opt}: ${r.stderr.trim()}`);
    }
    expect(failures).toEqual([]);
  });

  test("every listed namespace can be created: one container with all eight", async () => {
    const b = await env.bundle({
      args: ["sh", "-c", "for n in cgroup ipc mnt net pid time user uts; do readlink /proc/self/ns/$n; done"],
      mutate: (cfg) => {
        cfg.linux!.namespaces = ["cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts"].map((type) => ({ type }));
        cfg.linux!["uidMappings"] = [{ containerID: 0, hostID: 100000, size: 65536 }];
        cfg.linux!["gidMappings"] = [{ containerID: 0, hostID: 100000, size: 65536 }];
        // A user namespace's root cannot mount the host's sysfs or cgroup trees.
        cfg.mounts = cfg.mounts!.filter((m) => m.type !== "cgroup" && m.type !== "sysfs");
      },
    });
    chmodSync(b.dir, 0o755);
    const r = await env.rt.run(b);
    expect(r.code, r.stderr + env.rt.logTail()).toBe(0);
    const inside = r.stdout.trim().split("\n");
    expect(inside).toHaveLength(8);
    const hostLinks = ["cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts"].map((n) => readlinkSync(`/proc/self/ns/${n}`));
    inside.forEach((link, i) => expect(link, link).not.toBe(hostLinks[i]));
  });
});
