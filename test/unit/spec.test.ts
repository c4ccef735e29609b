import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { tmpPrefix } from "../helpers/context.js";
import { RuntsError } from "../../src/errors.js";
import { loadSpec, rootfsPath } from "../../src/spec/load.js";
import { validateSpecFast } from "../../src/spec/validate-fast.js";
import { parseSpec as zodParseSpec, validateSpec } from "../../src/spec/validate.js";
import { INVALID, parseSpecFast } from "../../src/spec/parse-fast.generated.js";
import { GENERATED_PATH, generateSpecParser } from "../../scripts/spec-parser.js";
import type { Spec } from "../../src/spec/schema.js";

const fixture = (name: string): string =>
  readFileSync(new URL(`../fixtures/spec/${name}`, import.meta.url), "utf8");

const RUNC_SPEC = fixture("runc-spec.json");
const DOCKER_LIKE = fixture("docker-like.json");

type Json = any;

/** The runc spec fixture, changed by `edit`, as config.json text. */
function runcWith(edit: (c: Json) => void): string {
  const c: Json = JSON.parse(RUNC_SPEC);
  edit(c);
  return JSON.stringify(c);
}

/**
 * The configs this file's tests saw zod accept (with what its parse returned)
 * and refuse (with the error line), for the last tests: the generated fast
 * parser must return the same values, and loading must refuse the same
 * configs with the same lines.
 */
const accepted: Array<{ text: string; spec: Spec }> = [];
const refused: Array<{ text: string; message: string }> = [];

function parseSpec(text: string): Spec {
  const spec = zodParseSpec(text);
  accepted.push({ text, spec });
  return spec;
}

/** Asserts that parsing fails with exactly `message` as a RuntsError whose line is the message. */
function expectSpecError(text: string, message: string): void {
  let caught: unknown;
  try {
    parseSpec(text);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(RuntsError);
  const err = caught as RuntsError;
  expect(err.message).toBe(message);
  expect(err.toLine()).toBe(message);
  refused.push({ text, message });
}

describe("parseSpec: valid configs", () => {
  it("accepts the config `runc spec` writes (committed fixture)", () => {
    const spec = parseSpec(RUNC_SPEC);
    expect(spec.ociVersion).toBe("1.0.2-dev");
    expect(spec.process.args).toEqual(["sh"]);
    expect(spec.process.user).toEqual({ uid: 0, gid: 0 });
    expect(spec.process.rlimits).toEqual([{ type: "RLIMIT_NOFILE", hard: 1024, soft: 1024 }]);
    expect(spec.root).toEqual({ path: "rootfs", readonly: true });
    expect(spec.mounts).toHaveLength(7);
    expect(spec.linux?.namespaces?.map((n) => n.type)).toEqual(["pid", "network", "ipc", "uts", "mount"]);
    expect(spec.linux?.resources?.devices).toEqual([{ allow: false, access: "rwm" }]);
  });

  let tmp: string | undefined;
  afterEach(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
    tmp = undefined;
  });

  const haveRunc = (() => {
    try {
      execFileSync("runc", ["--version"], { stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  })();

  it.skipIf(!haveRunc)("accepts the config the installed runc generates", () => {
    tmp = mkdtempSync(tmpPrefix("spec"));
    execFileSync("runc", ["spec"], { cwd: tmp, stdio: "ignore" });
    const spec = parseSpec(readFileSync(join(tmp, "config.json"), "utf8"));
    expect(spec.process.cwd).toBe("/");
    expect(spec.root.path).toBe("rootfs");
  });

  it("accepts a Docker-like config using most fields", () => {
    const spec = parseSpec(DOCKER_LIKE);
    expect(spec.ociVersion).toBe("1.2.0");
    expect(spec.process.consoleSize).toEqual({ height: 40, width: 120 });
    expect(spec.process.user).toEqual({ uid: 1000, gid: 1000, umask: 18, additionalGids: [10, 1000] });
    expect(spec.process.scheduler?.policy).toBe("SCHED_OTHER");
    expect(spec.process.ioPriority).toEqual({ class: "IOPRIO_CLASS_BE", priority: 4 });
    // uint64 max arrives rounded to 2^64 by JSON.parse and is accepted as such.
    expect(spec.process.rlimits?.[1]?.hard).toBe(2 ** 64);
    expect(spec.hooks?.poststart?.[0]?.timeout).toBe(5);
    expect(spec.mounts?.[9]?.uidMappings).toEqual([{ containerID: 0, hostID: 100000, size: 65536 }]);
    const linux = spec.linux!;
    expect(linux.namespaces).toHaveLength(8);
    expect(linux.namespaces?.[1]).toEqual({ type: "network", path: "/var/run/netns/cni-1234" });
    expect(linux.resources?.memory?.swap).toBe(-1);
    expect(linux.resources?.pids?.limit).toBe(-1);
    expect(linux.resources?.rdma?.["mlx5_1"]).toEqual({ hcaHandles: 3, hcaObjects: 10000 });
    expect(linux.resources?.unified?.["io.weight"]).toBe("default 100");
    expect(linux.timeOffsets?.boottime).toEqual({ secs: -3600, nanosecs: 500 });
    expect(linux.devices?.map((d) => d.type)).toEqual(["c", "b", "p"]);
    expect(linux.seccomp?.syscalls?.[3]?.args?.[0]?.op).toBe("SCMP_CMP_MASKED_EQ");
    expect(linux.seccomp?.defaultErrnoRet).toBe(1);
    expect(linux.rootfsPropagation).toBe("rprivate");
    expect(linux.personality?.domain).toBe("LINUX");
    expect(linux.sysctl?.["net.ipv4.ping_group_range"]).toBe("0 2147483647");
  });

  it("keeps unknown fields at the top level and nested", () => {
    const spec = parseSpec(
      runcWith((c) => {
        c.vendorExtension = { anything: [1, 2, 3] };
        c.windows = { layerFolders: ["C:\\layers"] };
        c.process.futureField = true;
        c.process.user.futureUserField = "x";
        c.mounts[0].futureMountField = 7;
        c.linux.futureLinuxField = { a: 1 };
        c.linux.resources.futureController = { max: "10" };
        c.linux.namespaces[0].futureNsField = null;
      }),
    ) as Spec & Record<string, unknown>;
    expect(spec["vendorExtension"]).toEqual({ anything: [1, 2, 3] });
    expect(spec["windows"]).toEqual({ layerFolders: ["C:\\layers"] });
    const loose = (v: unknown): Record<string, unknown> => v as Record<string, unknown>;
    expect(loose(spec.process)["futureField"]).toBe(true);
    expect(loose(spec.process.user)["futureUserField"]).toBe("x");
    expect(loose(spec.mounts?.[0])["futureMountField"]).toBe(7);
    expect(loose(spec.linux)["futureLinuxField"]).toEqual({ a: 1 });
    expect(loose(spec.linux?.resources)["futureController"]).toEqual({ max: "10" });
    expect(loose(spec.linux?.namespaces?.[0])).toHaveProperty("futureNsField", null);
  });

  it("tolerates the Windows-only process.commandLine", () => {
    const spec = parseSpec(runcWith((c) => (c.process.commandLine = "cmd /c echo hi")));
    expect(spec.process.commandLine).toBe("cmd /c echo hi");
  });

  it("defaults a missing process.user to uid 0, gid 0", () => {
    const spec = parseSpec(runcWith((c) => delete c.process.user));
    expect(spec.process.user).toEqual({ uid: 0, gid: 0 });
  });

  it.each(["1.0.0", "1.0.1", "1.0.2-dev", "1.1.0", "1.1.0-rc.3", "1.2.0", "1.2.1", "1.3.0+build.5"])(
    "accepts ociVersion %s",
    (version) => {
      expect(parseSpec(runcWith((c) => (c.ociVersion = version))).ociVersion).toBe(version);
    },
  );

  it("accepts a user namespace joined by path without mappings", () => {
    const spec = parseSpec(runcWith((c) => c.linux.namespaces.push({ type: "user", path: "/proc/1/ns/user" })));
    expect(spec.linux?.namespaces?.at(-1)).toEqual({ type: "user", path: "/proc/1/ns/user" });
  });

  it("validateSpec takes an already parsed value", () => {
    expect(validateSpec(JSON.parse(RUNC_SPEC)).hostname).toBe("runc");
  });
});

describe("parseSpec: error messages", () => {
  it("malformed JSON", () => {
    const text = '{"ociVersion": "1.0.0",';
    let parserMessage = "";
    try {
      JSON.parse(text);
    } catch (err) {
      parserMessage = (err as Error).message;
    }
    expect(parserMessage).not.toBe("");
    expectSpecError(text, `config.json: invalid JSON: ${parserMessage}`);
  });

  it("top level is not an object", () => {
    expectSpecError("[]", "config.json: expected object, got array");
  });

  it("ociVersion", () => {
    expectSpecError(
      runcWith((c) => (c.ociVersion = "2.0.0")),
      'config.json: ociVersion: unsupported major version 2 in "2.0.0" (runts supports 1.x)',
    );
    expectSpecError(
      runcWith((c) => (c.ociVersion = "0.5.0-dev")),
      'config.json: ociVersion: unsupported major version 0 in "0.5.0-dev" (runts supports 1.x)',
    );
    expectSpecError(
      runcWith((c) => (c.ociVersion = "1.0")),
      'config.json: ociVersion: expected a semantic version such as "1.2.0", got "1.0"',
    );
    expectSpecError(
      runcWith((c) => (c.ociVersion = "v1.0.0")),
      'config.json: ociVersion: expected a semantic version such as "1.2.0", got "v1.0.0"',
    );
    expectSpecError(
      runcWith((c) => (c.ociVersion = 1)),
      "config.json: ociVersion: expected string, got number",
    );
    expectSpecError(
      runcWith((c) => delete c.ociVersion),
      "config.json: ociVersion: required",
    );
  });

  it("process.args", () => {
    expectSpecError(
      runcWith((c) => (c.process.args = "sh")),
      "config.json: process.args: expected array of strings, got string",
    );
    expectSpecError(
      runcWith((c) => (c.process.args = ["sh", 1])),
      "config.json: process.args[1]: expected string, got number",
    );
    expectSpecError(
      runcWith((c) => (c.process.args = [])),
      "config.json: process.args: must have at least one entry, got []",
    );
    expectSpecError(
      runcWith((c) => delete c.process.args),
      "config.json: process.args: required",
    );
  });

  it("process and process.cwd are required; cwd must be absolute", () => {
    expectSpecError(runcWith((c) => delete c.process), "config.json: process: required");
    expectSpecError(
      runcWith((c) => (c.process = "sh")),
      "config.json: process: expected object, got string",
    );
    expectSpecError(runcWith((c) => delete c.process.cwd), "config.json: process.cwd: required");
    expectSpecError(
      runcWith((c) => (c.process.cwd = "home/user")),
      'config.json: process.cwd: must be an absolute path, got "home/user"',
    );
  });

  it("mount destination must be absolute", () => {
    expectSpecError(
      runcWith((c) => (c.mounts[2].destination = "tmp")),
      'config.json: mounts[2].destination: must be an absolute path, got "tmp"',
    );
    expectSpecError(
      runcWith((c) => delete c.mounts[0].destination),
      "config.json: mounts[0].destination: required",
    );
  });

  it("namespaces", () => {
    expectSpecError(
      runcWith((c) => (c.linux.namespaces[3].type = "foo")),
      "config.json: linux.namespaces[3].type: expected one of pid, network, mount, ipc, uts, user, cgroup, time, got \"foo\"",
    );
    expectSpecError(
      runcWith((c) => c.linux.namespaces.push({ type: "pid" })),
      'config.json: linux.namespaces: duplicate namespace type "pid"',
    );
  });

  it("user namespace needs uid and gid mappings unless joined by path", () => {
    expectSpecError(
      runcWith((c) => c.linux.namespaces.push({ type: "user" })),
      "config.json: linux.uidMappings: required by the user namespace in linux.namespaces[5]",
    );
    expectSpecError(
      runcWith((c) => {
        c.linux.namespaces.push({ type: "user" });
        c.linux.uidMappings = [];
      }),
      "config.json: linux.uidMappings: required by the user namespace in linux.namespaces[5]",
    );
    expectSpecError(
      runcWith((c) => {
        c.linux.namespaces.push({ type: "user" });
        c.linux.uidMappings = [{ containerID: 0, hostID: 1000, size: 1 }];
      }),
      "config.json: linux.gidMappings: required by the user namespace in linux.namespaces[5]",
    );
    expectSpecError(
      runcWith((c) => (c.linux.uidMappings = [{ containerID: 0, hostID: 1000, size: 1 }])),
      "config.json: linux.uidMappings: needs a user namespace in linux.namespaces",
    );
  });

  it("id mapping sizes must be > 0", () => {
    expectSpecError(
      runcWith((c) => {
        c.linux.namespaces.push({ type: "user" });
        c.linux.uidMappings = [{ containerID: 0, hostID: 1000, size: 0 }];
        c.linux.gidMappings = [{ containerID: 0, hostID: 1000, size: 1 }];
      }),
      "config.json: linux.uidMappings[0].size: expected integer in 1..4294967295, got 0",
    );
    expectSpecError(
      runcWith((c) => (c.mounts[0].gidMappings = [{ containerID: 0, hostID: 1, size: 0 }])),
      "config.json: mounts[0].gidMappings[0].size: expected integer in 1..4294967295, got 0",
    );
  });

  it("root.path is required", () => {
    expectSpecError(runcWith((c) => delete c.root.path), "config.json: root.path: required");
    expectSpecError(runcWith((c) => delete c.root), "config.json: root: required");
    expectSpecError(
      runcWith((c) => (c.root.path = null)),
      "config.json: root.path: expected string, got null",
    );
  });

  it("hook paths must be absolute", () => {
    expectSpecError(
      runcWith((c) => (c.hooks = { prestart: [{ path: "/bin/true" }], poststop: [{ path: "cleanup.sh" }] })),
      'config.json: hooks.poststop[0].path: must be an absolute path, got "cleanup.sh"',
    );
    expectSpecError(
      runcWith((c) => (c.hooks = { createRuntime: [{ path: "/bin/true", timeout: 0 }] })),
      "config.json: hooks.createRuntime[0].timeout: expected integer >= 1, got 0",
    );
  });

  it("rlimits", () => {
    expectSpecError(
      runcWith((c) => c.process.rlimits.push({ type: "RLIMIT_NOFILE", soft: 1, hard: 2 })),
      'config.json: process.rlimits: duplicate rlimit type "RLIMIT_NOFILE"',
    );
    expectSpecError(
      runcWith((c) => (c.process.rlimits[0].type = "NOFILE")),
      'config.json: process.rlimits[0].type: expected one of RLIMIT_AS, RLIMIT_CORE, RLIMIT_CPU, RLIMIT_DATA, RLIMIT_FSIZE, RLIMIT_LOCKS, RLIMIT_MEMLOCK, RLIMIT_MSGQUEUE, RLIMIT_NICE, RLIMIT_NOFILE, RLIMIT_NPROC, RLIMIT_RSS, RLIMIT_RTPRIO, RLIMIT_RTTIME, RLIMIT_SIGPENDING, RLIMIT_STACK, got "NOFILE"',
    );
    expectSpecError(
      runcWith((c) => (c.process.rlimits[0].soft = -1)),
      "config.json: process.rlimits[0].soft: expected integer in 0..2^64-1, got -1",
    );
    expectSpecError(
      runcWith((c) => delete c.process.rlimits[0].hard),
      "config.json: process.rlimits[0].hard: required",
    );
  });

  it("numeric types", () => {
    expectSpecError(
      runcWith((c) => (c.process.user.uid = -1)),
      "config.json: process.user.uid: expected integer in 0..4294967295, got -1",
    );
    expectSpecError(
      runcWith((c) => (c.process.user.gid = 4294967296)),
      "config.json: process.user.gid: expected integer in 0..4294967295, got 4294967296",
    );
    expectSpecError(
      runcWith((c) => (c.process.user.additionalGids = [5, "6"])),
      "config.json: process.user.additionalGids[1]: expected integer in 0..4294967295, got string",
    );
    expectSpecError(
      runcWith((c) => (c.linux.resources.memory = { limit: 1.5 })),
      "config.json: linux.resources.memory.limit: expected integer in -2^63..2^63-1, got 1.5",
    );
    expectSpecError(
      runcWith((c) => (c.linux.resources.blockIO = { weight: 70000 })),
      "config.json: linux.resources.blockIO.weight: expected integer in 0..65535, got 70000",
    );
    expectSpecError(
      runcWith((c) => (c.linux.resources.cpu = { shares: "1024" })),
      "config.json: linux.resources.cpu.shares: expected integer in 0..2^64-1, got string",
    );
    expectSpecError(
      '{"ociVersion":"1.0.0","process":{"args":["sh"],"cwd":"/","oomScoreAdj":1e400},"root":{"path":"r"}}',
      "config.json: process.oomScoreAdj: expected integer, got Infinity",
    );
  });

  it("other enums and patterns", () => {
    expectSpecError(
      runcWith((c) => (c.linux.rootfsPropagation = "bogus")),
      'config.json: linux.rootfsPropagation: expected one of private, shared, slave, unbindable, rprivate, rshared, rslave, runbindable, got "bogus"',
    );
    expectSpecError(
      runcWith((c) => (c.linux.devices = [{ path: "/dev/x", type: "x" }])),
      'config.json: linux.devices[0].type: expected one of c, b, u, p, got "x"',
    );
    expectSpecError(
      runcWith((c) => (c.linux.seccomp = { defaultAction: "SCMP_ACT_ALLOW", syscalls: [{ names: ["read"], action: "ALLOW" }] })),
      'config.json: linux.seccomp.syscalls[0].action: expected one of SCMP_ACT_KILL, SCMP_ACT_KILL_PROCESS, SCMP_ACT_KILL_THREAD, SCMP_ACT_TRAP, SCMP_ACT_ERRNO, SCMP_ACT_TRACE, SCMP_ACT_ALLOW, SCMP_ACT_LOG, SCMP_ACT_NOTIFY, got "ALLOW"',
    );
    expectSpecError(
      runcWith(
        (c) =>
          (c.linux.seccomp = {
            defaultAction: "SCMP_ACT_ALLOW",
            syscalls: [{ names: ["read"], action: "SCMP_ACT_ERRNO", args: [{ index: 0, value: 1, op: "EQ" }] }],
          }),
      ),
      'config.json: linux.seccomp.syscalls[0].args[0].op: expected one of SCMP_CMP_NE, SCMP_CMP_LT, SCMP_CMP_LE, SCMP_CMP_EQ, SCMP_CMP_GE, SCMP_CMP_GT, SCMP_CMP_MASKED_EQ, got "EQ"',
    );
    expectSpecError(
      runcWith((c) => (c.linux.seccomp = {})),
      "config.json: linux.seccomp.defaultAction: required",
    );
    expectSpecError(
      runcWith((c) => (c.process.scheduler = { policy: "SCHED_FAST" })),
      'config.json: process.scheduler.policy: expected one of SCHED_OTHER, SCHED_FIFO, SCHED_RR, SCHED_BATCH, SCHED_ISO, SCHED_IDLE, SCHED_DEADLINE, got "SCHED_FAST"',
    );
    expectSpecError(
      runcWith((c) => (c.process.ioPriority = { class: "IOPRIO_CLASS_NONE" })),
      'config.json: process.ioPriority.class: expected one of IOPRIO_CLASS_RT, IOPRIO_CLASS_BE, IOPRIO_CLASS_IDLE, got "IOPRIO_CLASS_NONE"',
    );
    expectSpecError(
      runcWith((c) => (c.linux.resources.hugepageLimits = [{ pageSize: "2M", limit: 1 }])),
      'config.json: linux.resources.hugepageLimits[0].pageSize: expected a page size such as "2MB", got "2M"',
    );
    expectSpecError(
      runcWith((c) => (c.linux.resources.devices[0].access = "rwx")),
      'config.json: linux.resources.devices[0].access: expected a combination of r, w and m, got "rwx"',
    );
  });

  it("string maps name non-identifier keys in brackets", () => {
    expectSpecError(
      runcWith((c) => (c.linux.sysctl = { "net.ipv4.ip_forward": 1 })),
      'config.json: linux.sysctl["net.ipv4.ip_forward"]: expected string, got number',
    );
    expectSpecError(
      runcWith((c) => (c.annotations = ["a"])),
      "config.json: annotations: expected object with string values, got array",
    );
  });

  it("reports the first problem only, in schema order", () => {
    expectSpecError(
      runcWith((c) => {
        c.process.args = "sh";
        c.mounts[2].destination = "tmp";
      }),
      "config.json: process.args: expected array of strings, got string",
    );
  });
});

describe("loadSpec / rootfsPath", () => {
  let dir: string;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function bundle(config: string | undefined, rootfs: "dir" | "file" | "none" = "dir"): string {
    dir = mkdtempSync(tmpPrefix("bundle"));
    if (config !== undefined) writeFileSync(join(dir, "config.json"), config);
    if (rootfs === "dir") mkdirSync(join(dir, "rootfs"));
    if (rootfs === "file") writeFileSync(join(dir, "rootfs"), "");
    return dir;
  }

  async function expectLoadError(bundleDir: string, message: string): Promise<void> {
    let caught: unknown;
    try {
      await loadSpec(bundleDir);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(RuntsError);
    expect((caught as RuntsError).message).toBe(message);
    expect((caught as RuntsError).toLine()).toBe(message);
  }

  it("loads a bundle and resolves a relative root.path against it", async () => {
    const b = bundle(RUNC_SPEC);
    const spec = await loadSpec(b);
    expect(spec.hostname).toBe("runc");
    expect(rootfsPath(b, spec)).toBe(join(b, "rootfs"));
  });

  it("keeps an absolute root.path and follows a symlinked rootfs", async () => {
    const b = bundle(undefined, "none");
    mkdirSync(join(b, "real"));
    symlinkSync(join(b, "real"), join(b, "link"));
    writeFileSync(join(b, "config.json"), runcWith((c) => (c.root.path = join(b, "link"))));
    const spec = await loadSpec(b);
    expect(rootfsPath("/elsewhere", spec)).toBe(join(b, "link"));
  });

  it("rootfsPath is absolute for a relative bundle dir", () => {
    const spec = parseSpec(RUNC_SPEC);
    expect(rootfsPath("some/bundle", spec)).toBe(join(process.cwd(), "some/bundle/rootfs"));
    expect(rootfsPath("/b", parseSpec(runcWith((c) => (c.root.path = "../r/./fs"))))).toBe("/r/fs");
  });

  it("missing config.json", async () => {
    const b = bundle(undefined);
    await expectLoadError(b, `config.json: cannot read ${join(b, "config.json")}: no such file or directory`);
  });

  it("invalid config.json content", async () => {
    const b = bundle(runcWith((c) => (c.ociVersion = "3.1.4")));
    await expectLoadError(b, 'config.json: ociVersion: unsupported major version 3 in "3.1.4" (runts supports 1.x)');
  });

  it("root.path that does not exist or is not a directory", async () => {
    const missing = bundle(RUNC_SPEC, "none");
    await expectLoadError(missing, `config.json: root.path: ${join(missing, "rootfs")} does not exist`);
    rmSync(missing, { recursive: true, force: true });
    const file = bundle(RUNC_SPEC, "file");
    await expectLoadError(file, `config.json: root.path: ${join(file, "rootfs")} is not a directory`);
  });
});

describe("the generated fast parser (src/spec/parse-fast.generated.ts)", () => {
  it("is what scripts/gen-spec-parser.ts makes of the current schema (else: npm run gen:spec-parser)", () => {
    const committed = readFileSync(new URL(`../../${GENERATED_PATH}`, import.meta.url), "utf8");
    expect(committed === generateSpecParser()).toBe(true);
  });

  it("returns what zod's parse returns for every config the tests above saw accepted", () => {
    const texts = [RUNC_SPEC, DOCKER_LIKE, ...accepted.map((a) => a.text)];
    expect(accepted.length).toBeGreaterThan(10);
    for (const text of texts) {
      const raw: unknown = JSON.parse(text);
      const fast = parseSpecFast(raw);
      expect(fast, text).not.toBe(INVALID);
      expect(fast, text).toStrictEqual(validateSpec(JSON.parse(text)));
    }
  });

  it("lets loading refuse every config the tests above saw refused, with the same line", async () => {
    expect(refused.length).toBeGreaterThan(20);
    for (const { text, message } of refused) {
      let raw: unknown;
      try {
        raw = JSON.parse(text);
      } catch {
        continue; // the JSON itself: load.ts and validate.ts share parseJson
      }
      // Exactly zod's line: a config the fast parser wrongly let through would
      // reach only the semantic checks, and end with another line or none.
      const err: unknown = await validateSpecFast(raw).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err, text).toBeInstanceOf(RuntsError);
      expect((err as RuntsError).toLine(), text).toBe(message);
    }
  });
});

