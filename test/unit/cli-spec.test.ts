import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { tmpPrefix } from "../helpers/context.js";
import { RuntsError } from "../../src/errors.js";
import { parseArgs } from "../../src/cli/args.js";
import { RUNTS_SPEC_VERSION, exampleSpec, renderSpec, run, toRootless } from "../../src/commands/spec.js";
import { hostIsV2 } from "../helpers/cgroups.js";

// `runc spec` and `runc spec --rootless` (as root) from runc 1.1.5 on a
// cgroup v1 host, captured byte for byte (tabs, no trailing newline).
const RUNC_SPEC = `{
	"ociVersion": "1.0.2-dev",
	"process": {
		"terminal": true,
		"user": {
			"uid": 0,
			"gid": 0
		},
		"args": [
			"sh"
		],
		"env": [
			"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
			"TERM=xterm"
		],
		"cwd": "/",
		"capabilities": {
			"bounding": [
				"CAP_AUDIT_WRITE",
				"CAP_KILL",
				"CAP_NET_BIND_SERVICE"
			],
			"effective": [
				"CAP_AUDIT_WRITE",
				"CAP_KILL",
				"CAP_NET_BIND_SERVICE"
			],
			"permitted": [
				"CAP_AUDIT_WRITE",
				"CAP_KILL",
				"CAP_NET_BIND_SERVICE"
			],
			"ambient": [
				"CAP_AUDIT_WRITE",
				"CAP_KILL",
				"CAP_NET_BIND_SERVICE"
			]
		},
		"rlimits": [
			{
				"type": "RLIMIT_NOFILE",
				"hard": 1024,
				"soft": 1024
			}
		],
		"noNewPrivileges": true
	},
	"root": {
		"path": "rootfs",
		"readonly": true
	},
	"hostname": "runc",
	"mounts": [
		{
			"destination": "/proc",
			"type": "proc",
			"source": "proc"
		},
		{
			"destination": "/dev",
			"type": "tmpfs",
			"source": "tmpfs",
			"options": [
				"nosuid",
				"strictatime",
				"mode=755",
				"size=65536k"
			]
		},
		{
			"destination": "/dev/pts",
			"type": "devpts",
			"source": "devpts",
			"options": [
				"nosuid",
				"noexec",
				"newinstance",
				"ptmxmode=0666",
				"mode=0620",
				"gid=5"
			]
		},
		{
			"destination": "/dev/shm",
			"type": "tmpfs",
			"source": "shm",
			"options": [
				"nosuid",
				"noexec",
				"nodev",
				"mode=1777",
				"size=65536k"
			]
		},
		{
			"destination": "/dev/mqueue",
			"type": "mqueue",
			"source": "mqueue",
			"options": [
				"nosuid",
				"noexec",
				"nodev"
			]
		},
		{
			"destination": "/sys",
			"type": "sysfs",
			"source": "sysfs",
			"options": [
				"nosuid",
				"noexec",
				"nodev",
				"ro"
			]
		},
		{
			"destination": "/sys/fs/cgroup",
			"type": "cgroup",
			"source": "cgroup",
			"options": [
				"nosuid",
				"noexec",
				"nodev",
				"relatime",
				"ro"
			]
		}
	],
	"linux": {
		"resources": {
			"devices": [
				{
					"allow": false,
					"access": "rwm"
				}
			]
		},
		"namespaces": [
			{
				"type": "pid"
			},
			{
				"type": "network"
			},
			{
				"type": "ipc"
			},
			{
				"type": "uts"
			},
			{
				"type": "mount"
			}
		],
		"maskedPaths": [
			"/proc/acpi",
			"/proc/asound",
			"/proc/kcore",
			"/proc/keys",
			"/proc/latency_stats",
			"/proc/timer_list",
			"/proc/timer_stats",
			"/proc/sched_debug",
			"/sys/firmware",
			"/proc/scsi"
		],
		"readonlyPaths": [
			"/proc/bus",
			"/proc/fs",
			"/proc/irq",
			"/proc/sys",
			"/proc/sysrq-trigger"
		]
	}
}`;

const RUNC_SPEC_ROOTLESS = `{
	"ociVersion": "1.0.2-dev",
	"process": {
		"terminal": true,
		"user": {
			"uid": 0,
			"gid": 0
		},
		"args": [
			"sh"
		],
		"env": [
			"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
			"TERM=xterm"
		],
		"cwd": "/",
		"capabilities": {
			"bounding": [
				"CAP_AUDIT_WRITE",
				"CAP_KILL",
				"CAP_NET_BIND_SERVICE"
			],
			"effective": [
				"CAP_AUDIT_WRITE",
				"CAP_KILL",
				"CAP_NET_BIND_SERVICE"
			],
			"permitted": [
				"CAP_AUDIT_WRITE",
				"CAP_KILL",
				"CAP_NET_BIND_SERVICE"
			],
			"ambient": [
				"CAP_AUDIT_WRITE",
				"CAP_KILL",
				"CAP_NET_BIND_SERVICE"
			]
		},
		"rlimits": [
			{
				"type": "RLIMIT_NOFILE",
				"hard": 1024,
				"soft": 1024
			}
		],
		"noNewPrivileges": true
	},
	"root": {
		"path": "rootfs",
		"readonly": true
	},
	"hostname": "runc",
	"mounts": [
		{
			"destination": "/proc",
			"type": "proc",
			"source": "proc"
		},
		{
			"destination": "/dev",
			"type": "tmpfs",
			"source": "tmpfs",
			"options": [
				"nosuid",
				"strictatime",
				"mode=755",
				"size=65536k"
			]
		},
		{
			"destination": "/dev/pts",
			"type": "devpts",
			"source": "devpts",
			"options": [
				"nosuid",
				"noexec",
				"newinstance",
				"ptmxmode=0666",
				"mode=0620"
			]
		},
		{
			"destination": "/dev/shm",
			"type": "tmpfs",
			"source": "shm",
			"options": [
				"nosuid",
				"noexec",
				"nodev",
				"mode=1777",
				"size=65536k"
			]
		},
		{
			"destination": "/dev/mqueue",
			"type": "mqueue",
			"source": "mqueue",
			"options": [
				"nosuid",
				"noexec",
				"nodev"
			]
		},
		{
			"destination": "/sys",
			"type": "none",
			"source": "/sys",
			"options": [
				"rbind",
				"nosuid",
				"noexec",
				"nodev",
				"ro"
			]
		},
		{
			"destination": "/sys/fs/cgroup",
			"type": "cgroup",
			"source": "cgroup",
			"options": [
				"nosuid",
				"noexec",
				"nodev",
				"relatime",
				"ro"
			]
		}
	],
	"linux": {
		"uidMappings": [
			{
				"containerID": 0,
				"hostID": 0,
				"size": 1
			}
		],
		"gidMappings": [
			{
				"containerID": 0,
				"hostID": 0,
				"size": 1
			}
		],
		"namespaces": [
			{
				"type": "pid"
			},
			{
				"type": "ipc"
			},
			{
				"type": "uts"
			},
			{
				"type": "mount"
			},
			{
				"type": "user"
			}
		],
		"maskedPaths": [
			"/proc/acpi",
			"/proc/asound",
			"/proc/kcore",
			"/proc/keys",
			"/proc/latency_stats",
			"/proc/timer_list",
			"/proc/timer_stats",
			"/proc/sched_debug",
			"/sys/firmware",
			"/proc/scsi"
		],
		"readonlyPaths": [
			"/proc/bus",
			"/proc/fs",
			"/proc/irq",
			"/proc/sys",
			"/proc/sysrq-trigger"
		]
	}
}`;

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(tmpPrefix("cli-spec"));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** runc's output with the values where runts differs on purpose replaced, for this host. */
function expectedFromRunc(text: string, cgroupV2: boolean, euid = 0, egid = 0): Json {
  const c = JSON.parse(text) as { [k: string]: Json };
  c["ociVersion"] = RUNTS_SPEC_VERSION;
  c["hostname"] = "runts";
  const linux = c["linux"] as { namespaces: { type: string }[]; uidMappings?: { hostID: number }[]; gidMappings?: { hostID: number }[] };
  if (cgroupV2 && !linux.namespaces.some((n) => n.type === "cgroup")) {
    const user = linux.namespaces.findIndex((n) => n.type === "user");
    if (user >= 0) linux.namespaces.splice(user, 0, { type: "cgroup" });
    else linux.namespaces.push({ type: "cgroup" });
  }
  if (linux.uidMappings?.[0]) linux.uidMappings[0].hostID = euid;
  if (linux.gidMappings?.[0]) linux.gidMappings[0].hostID = egid;
  return c;
}

describe("spec content", () => {
  it("is byte-for-byte runc's when given runc's version and hostname", () => {
    expect(renderSpec(exampleSpec({ cgroupV2: false, ociVersion: "1.0.2-dev", hostname: "runc" }))).toBe(RUNC_SPEC);
  });

  it("--rootless is byte-for-byte runc's ToRootless", () => {
    const spec = toRootless(exampleSpec({ cgroupV2: false, ociVersion: "1.0.2-dev", hostname: "runc" }), 0, 0);
    expect(renderSpec(spec)).toBe(RUNC_SPEC_ROOTLESS);
  });

  it("uses the caller's euid/egid in the rootless mappings", () => {
    const spec = toRootless(exampleSpec({ cgroupV2: false }), 1000, 100);
    expect(spec.linux.uidMappings).toEqual([{ containerID: 0, hostID: 1000, size: 1 }]);
    expect(spec.linux.gidMappings).toEqual([{ containerID: 0, hostID: 100, size: 1 }]);
    expect(spec.linux.resources).toBeUndefined();
    expect(spec.linux.namespaces.map((n) => n.type)).toEqual(["pid", "ipc", "uts", "mount", "user"]);
  });

  it("adds a cgroup namespace on cgroup v2 (before user in the rootless variant)", () => {
    expect(exampleSpec({ cgroupV2: true }).linux.namespaces.map((n) => n.type)).toEqual(["pid", "network", "ipc", "uts", "mount", "cgroup"]);
    expect(toRootless(exampleSpec({ cgroupV2: true }), 0, 0).linux.namespaces.map((n) => n.type)).toEqual(["pid", "ipc", "uts", "mount", "cgroup", "user"]);
  });

  it("declares runtime-spec 1.2.0 and hostname runts by default", () => {
    const s = exampleSpec({ cgroupV2: false });
    expect(s.ociVersion).toBe("1.2.0");
    expect(s.hostname).toBe("runts");
  });
});

describe("runts spec", () => {
  it("writes config.json into -b DIR, equal to runc's apart from version and hostname", async () => {
    const dir = tempDir();
    expect(await run(parseArgs(["spec", "-b", dir]))).toBe(0);
    const text = readFileSync(join(dir, "config.json"), "utf8");
    expect(text.endsWith("}")).toBe(true);
    expect(text).toContain('\n\t"ociVersion": "1.2.0",\n');
    expect(JSON.parse(text)).toEqual(expectedFromRunc(RUNC_SPEC, hostIsV2()));
    expect(statSync(join(dir, "config.json")).mode & 0o111).toBe(0);
  });

  it("writes into the current directory without -b", async () => {
    const dir = tempDir();
    expect(await run(parseArgs(["spec"], { cwd: dir }))).toBe(0);
    const got = JSON.parse(readFileSync(join(dir, "config.json"), "utf8")) as Json;
    expect(got).toEqual(expectedFromRunc(RUNC_SPEC, hostIsV2()));
  });

  it("--rootless writes runc's rootless variant for the current user", async () => {
    const dir = tempDir();
    expect(await run(parseArgs(["spec", "--rootless", "-b", dir]))).toBe(0);
    const got = JSON.parse(readFileSync(join(dir, "config.json"), "utf8")) as Json;
    expect(got).toEqual(expectedFromRunc(RUNC_SPEC_ROOTLESS, hostIsV2(), process.geteuid?.() ?? 0, process.getegid?.() ?? 0));
  });

  it("refuses when config.json exists: File config.json exists. Remove it first", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "config.json"), "{}");
    const p = run(parseArgs(["spec", "-b", dir]));
    await expect(p).rejects.toThrow(RuntsError);
    await expect(run(parseArgs(["spec", "-b", dir]))).rejects.toThrow(/^File config\.json exists\. Remove it first$/);
    expect(readFileSync(join(dir, "config.json"), "utf8")).toBe("{}");
    // a directory named config.json counts too (os.Stat)
    const d2 = tempDir();
    mkdirSync(join(d2, "config.json"));
    await expect(run(parseArgs(["spec", "-b", d2]))).rejects.toThrow("File config.json exists. Remove it first");
  });

  it("a dangling config.json symlink does not count as existing (os.Stat follows it), like runc", async () => {
    const dir = tempDir();
    symlinkSync(join(dir, "target.json"), join(dir, "config.json"));
    expect(await run(parseArgs(["spec", "-b", dir]))).toBe(0);
    expect(existsSync(join(dir, "target.json"))).toBe(true);
  });

  it("a missing bundle: chdir DIR: no such file or directory", async () => {
    const dir = join(tempDir(), "nonexist");
    await expect(run(parseArgs(["spec", "-b", dir]))).rejects.toThrow(`chdir ${dir}: no such file or directory`);
    const file = join(tempDir(), "f");
    writeFileSync(file, "");
    await expect(run(parseArgs(["spec", "-b", file]))).rejects.toThrow(`chdir ${file}: not a directory`);
  });

  const runc = ((): string | undefined => {
    try {
      execFileSync("runc", ["--version"], { stdio: "ignore" });
      return "runc";
    } catch {
      return undefined;
    }
  })();

  it.skipIf(runc === undefined)("matches the installed runc's `spec` and `spec --rootless` structurally", async () => {
    for (const extra of [[], ["--rootless"]]) {
      const ours = tempDir();
      const theirs = tempDir();
      expect(await run(parseArgs(["spec", ...extra, "-b", ours]))).toBe(0);
      execFileSync("runc", ["spec", ...extra, "-b", theirs]);
      const got = JSON.parse(readFileSync(join(ours, "config.json"), "utf8")) as Json;
      const want = JSON.parse(readFileSync(join(theirs, "config.json"), "utf8")) as { [k: string]: Json };
      want["ociVersion"] = RUNTS_SPEC_VERSION;
      want["hostname"] = "runts";
      // runc >= 1.2 no longer writes ambient capabilities
      const caps = (got as { process: { capabilities: { [k: string]: Json } } }).process.capabilities;
      const wantCaps = (want["process"] as { capabilities: { [k: string]: Json } }).capabilities;
      if (!("ambient" in wantCaps)) delete caps["ambient"];
      expect(got).toEqual(want);
    }
  });
});
