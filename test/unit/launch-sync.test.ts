/**
 * launch()'s side of the sync protocol, against a stand-in runts-init (a
 * python3 script) that says its messages in orders the real one can produce
 * under load: the container process runs on as soon as it is cloned (its
 * "sync cgroup" ack is queued ahead), so it may speak several times before
 * runts-init's "pid" message.
 */
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tmpPrefix } from "../helpers/context.js";
import { launch, ShimProcess } from "../../src/launcher/launch.js";
import { step, type LaunchPlan } from "../../src/plan/plan.js";
import { initLibc } from "../../src/sys/libc.js";

const python = execFileSync("python3", ["-c", "import sys; print(sys.executable)"], { encoding: "utf8" }).trim();
let dir: string;

beforeAll(async () => {
  await initLibc();
  dir = mkdtempSync(tmpPrefix("launch"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A runts-init that reads its plan, then sends `messages` (fields; "$PID" is replaced by `pid`). */
function fakeInit(name: string, messages: string[][], pid: number): string {
  const path = join(dir, name);
  const lines = messages.map((m) => `send(${m.map((f) => JSON.stringify(f === "$PID" ? String(pid) : f)).join(", ")})`);
  writeFileSync(
    path,
    `#!${python}
import os, struct, sys
fd = int(sys.argv[1])
def readn(n):
    b = b""
    while len(b) < n:
        c = os.read(fd, n - len(b))
        if not c: sys.exit(3)
        b += c
    return b
def send(*fields):
    body = b"".join(f.encode() + b"\\0" for f in fields)
    os.write(fd, struct.pack("<I", len(body)) + body)
readn(struct.unpack("<I", readn(4))[0])
${lines.join("\n")}
`,
  );
  chmodSync(path, 0o755);
  return path;
}

const plan: LaunchPlan = {
  mode: "create",
  steps: [step("CLONE", "0"), step("SYNC", "cgroup"), step("SYNC", "ready")],
  preserveFds: 0,
  notes: [],
  hookStates: false,
};

/** A process to stand for the container process: launch() kills it after a failure. */
function stand(): { child: ChildProcess; exited: Promise<NodeJS.Signals | null> } {
  const child = spawn("sleep", ["60"], { stdio: "ignore" });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once("exit", (_c, sig) => resolve(sig)));
  return { child, exited };
}

describe("launch: messages around runts-init's pid", () => {
  it("keeps the container process's messages that come before the pid, in order", async () => {
    const { child, exited } = stand();
    try {
      const pid = child.pid!;
      const shim = fakeInit("ahead", [["sync", "cgroup"], ["sync", "ready"], ["pid", "$PID"], ["created"]], pid);
      const seen: string[] = [];
      const launched = await launch(plan, new ShimProcess(shim, 0), {
        onCloned: (p) => void seen.push(`cloned ${p}`),
        onReady: (p) => void seen.push(`ready ${p}`),
      });
      expect(launched.pid).toBe(pid);
      expect(seen).toEqual([`cloned ${pid}`, `ready ${pid}`]);
    } finally {
      child.kill("SIGKILL");
      await exited;
    }
  });

  it("reports runts-init's own error when it fails before clone (no pid follows)", async () => {
    const shim = fakeInit("early-error", [["error", "mount", "/x", "2", ""]], 0);
    await expect(launch(plan, new ShimProcess(shim, 0), {})).rejects.toThrow('mount "/x": no such file or directory');
  });

  it("kills the container process whose error came before its pid", async () => {
    const { child, exited } = stand();
    const shim = fakeInit("child-error", [["sync", "cgroup"], ["error", "pivot_root", "/r", "13", ""], ["pid", "$PID"]], child.pid!);
    const seen: number[] = [];
    await expect(launch(plan, new ShimProcess(shim, 0), { onCloned: (p) => void seen.push(p) })).rejects.toThrow(
      'pivot_root "/r": permission denied',
    );
    expect(seen).toEqual([child.pid]);
    expect(await exited).toBe("SIGKILL");
  });

  it("says runts-init died when it leaves without a word", async () => {
    const shim = fakeInit("silent", [], 0);
    await expect(launch(plan, new ShimProcess(shim, 0), {})).rejects.toThrow(/runts-init \(pid \d+\) exited before it started the container/);
  });
});
