/**
 * Helpers for the config integration tests (test/integration/config-*.test.ts):
 * capability masks by name, the JSON log, a `create` that must fail and leave
 * nothing behind, host mounts that are undone after each test, and the
 * process attributes busybox cannot show (I/O priority, read with python3).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, readlinkSync } from "node:fs";
import path from "node:path";
import { afterEach, expect } from "vitest";
import type { Bundle } from "./bundle.js";
import { newContainerId } from "./context.js";
import { hostMountpoints } from "./core.js";
import type { RuntimeEnv } from "./harness.js";
import { cgroupHierarchies, defaultCgroupDirs } from "./mountinfo.js";
import type { RunResult, Runtime } from "./runtime.js";

/** include/uapi/linux/capability.h, by number (written out here, not taken from src/). */
export const CAP_NAMES = [
  "CAP_CHOWN",
  "CAP_DAC_OVERRIDE",
  "CAP_DAC_READ_SEARCH",
  "CAP_FOWNER",
  "CAP_FSETID",
  "CAP_KILL",
  "CAP_SETGID",
  "CAP_SETUID",
  "CAP_SETPCAP",
  "CAP_LINUX_IMMUTABLE",
  "CAP_NET_BIND_SERVICE",
  "CAP_NET_BROADCAST",
  "CAP_NET_ADMIN",
  "CAP_NET_RAW",
  "CAP_IPC_LOCK",
  "CAP_IPC_OWNER",
  "CAP_SYS_MODULE",
  "CAP_SYS_RAWIO",
  "CAP_SYS_CHROOT",
  "CAP_SYS_PTRACE",
  "CAP_SYS_PACCT",
  "CAP_SYS_ADMIN",
  "CAP_SYS_BOOT",
  "CAP_SYS_NICE",
  "CAP_SYS_RESOURCE",
  "CAP_SYS_TIME",
  "CAP_SYS_TTY_CONFIG",
  "CAP_MKNOD",
  "CAP_LEASE",
  "CAP_AUDIT_WRITE",
  "CAP_AUDIT_CONTROL",
  "CAP_SETFCAP",
  "CAP_MAC_OVERRIDE",
  "CAP_MAC_ADMIN",
  "CAP_SYSLOG",
  "CAP_WAKE_ALARM",
  "CAP_BLOCK_SUSPEND",
  "CAP_AUDIT_READ",
  "CAP_PERFMON",
  "CAP_BPF",
  "CAP_CHECKPOINT_RESTORE",
] as const;

export type CapSet = "CapInh" | "CapPrm" | "CapEff" | "CapBnd" | "CapAmb";

/** The Cap* lines of a /proc/<pid>/status text, each as a sorted list of names. */
export function capSets(status: string): Record<CapSet, string[]> {
  const get = (field: CapSet): string[] => {
    const m = new RegExp(`^${field}:\\s*([0-9a-f]+)$`, "m").exec(status);
    if (!m?.[1]) throw new Error(`no ${field} line in:\n${status}`);
    return capNames(BigInt(`0x${m[1]}`));
  };
  return { CapInh: get("CapInh"), CapPrm: get("CapPrm"), CapEff: get("CapEff"), CapBnd: get("CapBnd"), CapAmb: get("CapAmb") };
}

/** Capability names of a mask, sorted; an unknown bit shows as "bit N". */
export function capNames(mask: bigint): string[] {
  const names: string[] = [];
  for (let bit = 0; bit < 64; bit++) {
    if ((mask >> BigInt(bit)) & 1n) names.push(CAP_NAMES[bit] ?? `bit ${bit}`);
  }
  return names.sort();
}

/** The capability names this test process (the runtime's caller) holds in its bounding set. */
export function hostBounding(): string[] {
  return capSets(readFileSync("/proc/self/status", "utf8")).CapBnd;
}

/** One value of a "Key:\tvalue" line of /proc/<pid>/status text. */
export function statusField(status: string, key: string): string | undefined {
  return new RegExp(`^${key}:\\s*(.*)$`, "m").exec(status)?.[1]?.trim();
}

export interface LogLine {
  level: string;
  msg: string;
  time?: string;
}

/** The runtime's JSON log (--log-format json) as parsed lines. */
export function logLines(rt: Runtime): LogLine[] {
  let text = "";
  try {
    text = readFileSync(rt.logFile, "utf8");
  } catch {
    return [];
  }
  return text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => {
      try {
        return JSON.parse(l) as LogLine;
      } catch {
        return { level: "?", msg: l };
      }
    });
}

/** Pids of processes whose root directory or cwd lies in `dir`. */
export function processesIn(dir: string): number[] {
  const found = new Set<number>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    for (const link of ["root", "cwd"]) {
      try {
        if (readlinkSync(`/proc/${name}/${link}`).startsWith(dir)) found.add(Number(name));
      } catch {
        // gone, or not ours to read
      }
    }
  }
  return [...found];
}

/**
 * `create` that must fail: checks a non-zero exit (not the harness timeout),
 * that create logged an error, and that nothing is left (state dir, pid file,
 * cgroup, mount under the bundle, process in the bundle, `state` says it does
 * not exist). Returns the result
 * with `error`, the message of the last error line of the JSON log.
 */
export async function createFails(env: RuntimeEnv, bundle: Bundle): Promise<RunResult & { error: string; id: string }> {
  const { rt } = env;
  const id = newContainerId();
  const pidFile = rt.pidFile(id);
  const r = await rt.exec(["create", "--bundle", bundle.dir, "--pid-file", pidFile, id], { stdio: rt.ioFiles(id) });
  expect(r.code, `create succeeded: ${r.stderr}`).not.toBe(0);
  expect(r.code, "exited, not killed by the harness timeout").not.toBeNull();
  expect(existsSync(path.join(rt.root, id)), "state dir").toBe(false);
  expect(existsSync(pidFile), "pid file").toBe(false);
  for (const h of cgroupHierarchies()) {
    expect(existsSync(path.join(h, id)), `cgroup ${h}/${id}`).toBe(false);
  }
  for (const d of defaultCgroupDirs(id)) expect(existsSync(d), `cgroup ${d}`).toBe(false);
  expect(hostMountpoints().filter((m) => m.startsWith(bundle.dir))).toEqual([]);
  expect(processesIn(bundle.dir)).toEqual([]);
  // The error of create itself (before `state` logs its own).
  const error = logLines(rt).filter((l) => l.level === "error").at(-1)?.msg ?? "";
  expect(error, "create logs its error").not.toBe("");
  const st = await rt.exec(["state", id]);
  expect(st.stderr).toContain("container does not exist");
  return { ...r, id, error };
}

/**
 * Host mounts a test makes (for propagation tests). Each is lazily unmounted
 * after the test, innermost first, whether the test passed or not.
 */
export function useHostMounts(): { tmpfs(dir: string, opts?: string): void; track(dir: string): void } {
  let made: string[] = [];
  afterEach(() => {
    const mounted = new Set(hostMountpoints());
    for (const dir of made.sort((a, b) => b.length - a.length)) {
      for (let i = 0; i < 8 && mounted.has(dir); i++) {
        try {
          execFileSync("umount", ["-l", dir], { stdio: "pipe" });
        } catch {
          break;
        }
        if (!hostMountpoints().includes(dir)) break;
      }
    }
    made = [];
  });
  return {
    tmpfs(dir: string, opts = "size=1m"): void {
      mkdirSync(dir, { recursive: true });
      made.push(dir);
      execFileSync("mount", ["-t", "tmpfs", "-o", opts, "tmpfs", dir], { stdio: "pipe" });
    },
    track(dir: string): void {
      made.push(dir);
    },
  };
}

/** ioprio_get(IOPRIO_WHO_PROCESS, pid) through python3's ctypes (syscall 252 on x86_64, 31 on arm64). */
export function ioprioGet(pid: number): number {
  const nr = process.arch === "arm64" ? 31 : 252;
  const code = `import ctypes,sys\nlibc=ctypes.CDLL(None,use_errno=True)\nr=libc.syscall(${nr},1,${pid})\nprint(r if r>=0 else -ctypes.get_errno())`;
  return Number(execFileSync("python3", ["-c", code], { encoding: "utf8" }).trim());
}

/** ioprio value: class << 13 | data. */
export const ioprio = (cls: number, data: number): number => (cls << 13) | data;

/** The user process of a container: sh may exec its last command; wait until `name` runs. */
export async function waitForComm(pid: number, name: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let comm = "";
    try {
      comm = readFileSync(`/proc/${pid}/comm`, "utf8").trim();
    } catch {
      // not there yet
    }
    if (comm === name) return;
    if (Date.now() >= deadline) throw new Error(`pid ${pid} is "${comm}", not "${name}", after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
