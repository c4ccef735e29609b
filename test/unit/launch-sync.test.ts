/**
 * launch()'s side of the sync protocol, against a stand-in runts-init (a
 * python3 script) that says its messages in orders the real one can produce
 * under load: the container process may reach its "sync cgroup" before or
 * after runts-init's "pid" message, and is answered only once runts has put
 * it into its cgroup.
 */
import { spawn, execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
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

/**
 * A runts-init that reads its plan, then plays `script`: a message to send
 * (fields; "$PID" becomes `pid`), "ack" to read one ack (as the container
 * process waits for one; it exits if none comes within 5 s), "quiet" to
 * check that nothing more was sent to it (an error message if something was),
 * "end" to check that runts closes the channel with nothing more sent, and
 * then leave the file `${path}.end` (runts reaps us before launch() returns),
 * or "forkhold" to leave a child holding the socket (its pid in
 * `${path}.holder`) and exit.
 */
function fakeInit(name: string, script: Array<string[] | "ack" | "quiet" | "end" | "forkhold">, pid: number): string {
  const path = join(dir, name);
  const lines = script.map((m) =>
    typeof m === "string" ? `${m}()` : `send(${m.map((f) => JSON.stringify(f === "$PID" ? String(pid) : f)).join(", ")})`,
  );
  writeFileSync(
    path,
    `#!${python}
import os, select, socket, struct, sys, time
fd = int(sys.argv[1])
def readn(n):
    b = b""
    while len(b) < n:
        if not select.select([fd], [], [], 5)[0]: sys.exit(4)
        c = os.read(fd, n - len(b))
        if not c: sys.exit(3)
        b += c
    return b
def send(*fields):
    body = b"".join(f.encode() + b"\\0" for f in fields)
    os.write(fd, struct.pack("<I", len(body)) + body)
def ack():
    if readn(struct.unpack("<I", readn(4))[0]) != b"ack\\0": sys.exit(5)
def quiet():
    time.sleep(0.05)
    if select.select([fd], [], [], 0)[0]: send("error", "quiet", "", "0", "runts sent a message nobody asked for")
def forkhold():
    # A child that keeps the socket open (as a cloned container process would), then leave without a word.
    if os.fork() == 0:
        open(sys.argv[0] + ".holder", "w").write(str(os.getpid()))
        time.sleep(30)
        os._exit(0)
    while not os.path.exists(sys.argv[0] + ".holder"): time.sleep(0.01)
    sys.exit(0)
def end():
    if not select.select([fd], [], [], 5)[0] or os.read(fd, 1): sys.exit(6)
    open(sys.argv[0] + ".end", "w").close()
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
  cgroupSync: true,
};

/**
 * Run `body` with a process standing for the container process (launch()
 * kills it after a failure): its pid, and its end (the signal that ended it).
 * It is killed and awaited afterwards, whatever happened.
 */
async function withStandIn(body: (pid: number, exited: Promise<NodeJS.Signals | null>) => Promise<void>): Promise<void> {
  const child = spawn("sleep", ["60"], { stdio: "ignore" });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once("exit", (_c, sig) => resolve(sig)));
  try {
    await body(child.pid as number, exited);
  } finally {
    child.kill("SIGKILL");
    await exited;
  }
}

describe("launch: messages around runts-init's pid", () => {
  it("answers the cgroup sync that came before the pid once the process is placed, then goes on", async () => {
    await withStandIn(async (pid) => {
      const shim = fakeInit(
        "sync-first",
        [["sync", "cgroup"], ["pid", "$PID"], "ack", ["sync", "ready"], "ack", ["created"], "end"],
        pid,
      );
      const seen: string[] = [];
      const launched = await launch(plan, new ShimProcess(shim, 0), {
        placeCloned: (p) => void seen.push(`placed ${p}`),
        onCloned: (p) => void seen.push(`cloned ${p}`),
        onReady: (p) => void seen.push(`ready ${p}`),
      });
      expect(launched.pid).toBe(pid);
      expect(seen).toEqual([`placed ${pid}`, `cloned ${pid}`, `ready ${pid}`]);
      expect(existsSync(`${shim}.end`), "runts sent the stand-in an ack too many, or none for \"ready\"").toBe(true);
    });
  });

  it("answers the cgroup sync ahead when the pid comes first, and takes the late ask for what it is", async () => {
    await withStandIn(async (pid) => {
      // The ack is read before the process says "sync cgroup": one ack for it, no more.
      const shim = fakeInit("pid-first", [["pid", "$PID"], "ack", ["sync", "cgroup"], ["created"], "end"], pid);
      const seen: string[] = [];
      const launched = await launch(plan, new ShimProcess(shim, 0), {
        placeCloned: (p) => void seen.push(`placed ${p}`),
      });
      expect(launched.pid).toBe(pid);
      expect(seen).toEqual([`placed ${pid}`]);
      expect(existsSync(`${shim}.end`), "runts answered the late \"sync cgroup\" a second time").toBe(true);
    });
  });

  it("does not answer a process whose cgroup could not be set up, and kills it", async () => {
    await withStandIn(async (pid, exited) => {
      const shim = fakeInit("sent-fails", [["sync", "cgroup"], ["pid", "$PID"], "end"], pid);
      const seen: string[] = [];
      await expect(
        launch(plan, new ShimProcess(shim, 0), {
          onSent: () => {
            throw new Error("cgroup refused");
          },
          placeCloned: (p) => void seen.push(`placed ${p}`),
          onCloned: (p) => void seen.push(`cloned ${p}`),
        }),
      ).rejects.toThrow("cgroup refused");
      // Told of the pid (to clean up after it), never placed or answered.
      expect(seen).toEqual([`cloned ${pid}`]);
      expect(existsSync(`${shim}.end`), "runts answered a process it could not place").toBe(true);
      expect(await exited).toBe("SIGKILL");
    });
  });

  it("sets what comes after the cgroup sync before reading on, and answers the process's \"sync limits\" after it", async () => {
    await withStandIn(async (pid) => {
      // The stand-in asks "sync limits" right after its cgroup ack, as the container process does after its mounts,
      // and checks that no answer comes while afterCgroupSync still runs ("quiet" sends an error if one does).
      const shim = fakeInit(
        "limits",
        [["sync", "cgroup"], ["pid", "$PID"], "ack", ["sync", "limits"], "quiet", "ack", ["created"], "end"],
        pid,
      );
      const seen: string[] = [];
      const launched = await launch(plan, new ShimProcess(shim, 0), {
        placeCloned: (p) => void seen.push(`placed ${p}`),
        afterCgroupSync: async (p) => {
          await new Promise((r) => setTimeout(r, 200));
          seen.push(`limits ${p}`);
        },
        onCloned: (p) => void seen.push(`cloned ${p}`),
      });
      expect(launched.pid).toBe(pid);
      expect(seen).toEqual([`placed ${pid}`, `limits ${pid}`, `cloned ${pid}`]);
      expect(existsSync(`${shim}.end`), "runts did not answer \"sync limits\"").toBe(true);
    });
  });

  it("kills the process when what comes after its cgroup sync fails, and still tells of its pid", async () => {
    await withStandIn(async (pid, exited) => {
      const shim = fakeInit("limits-fail", [["sync", "cgroup"], ["pid", "$PID"], "ack", ["sync", "limits"], "end"], pid);
      const seen: string[] = [];
      await expect(
        launch(plan, new ShimProcess(shim, 0), {
          afterCgroupSync: () => {
            throw new Error("devices rules refused");
          },
          onCloned: (p) => void seen.push(`cloned ${p}`),
        }),
      ).rejects.toThrow("devices rules refused");
      expect(seen).toEqual([`cloned ${pid}`]);
      expect(await exited).toBe("SIGKILL");
    });
  });

  it("keeps the first failure when telling of the pid fails too", async () => {
    await withStandIn(async (pid, exited) => {
      const shim = fakeInit("both-fail", [["sync", "cgroup"], ["pid", "$PID"], "end"], pid);
      await expect(
        launch(plan, new ShimProcess(shim, 0), {
          onSent: () => {
            throw new Error("cgroup refused");
          },
          onCloned: () => {
            throw new Error("staging failed");
          },
        }),
      ).rejects.toThrow("cgroup refused");
      expect(await exited).toBe("SIGKILL");
    });
  });

  it("reports runts-init's own error when it fails before clone (no pid follows)", async () => {
    const shim = fakeInit("early-error", [["error", "mount", "/x", "2", ""]], 0);
    await expect(launch(plan, new ShimProcess(shim, 0), {})).rejects.toThrow('mount "/x": no such file or directory');
  });

  it("says the container process left without a word when it is gone before its cgroup sync is answered", async () => {
    await withStandIn(async (pid) => {
      // The stand-in leaves right after the pid; placing takes long enough for its end to be closed.
      const shim = fakeInit("gone-before-ack", [["pid", "$PID"]], pid);
      await expect(
        launch(plan, new ShimProcess(shim, 0), { placeCloned: () => new Promise((r) => setTimeout(r, 200)) }),
      ).rejects.toThrow("container init exited before it was set up");
    });
  });

  it("kills the container process that fails after its cgroup sync", async () => {
    await withStandIn(async (pid, exited) => {
      const shim = fakeInit("child-error", [["pid", "$PID"], ["sync", "cgroup"], "ack", ["error", "pivot_root", "/r", "13", ""]], pid);
      const seen: number[] = [];
      await expect(launch(plan, new ShimProcess(shim, 0), { onCloned: (p) => void seen.push(p) })).rejects.toThrow(
        'pivot_root "/r": permission denied',
      );
      expect(seen).toEqual([pid]);
      expect(await exited).toBe("SIGKILL");
    });
  });

  it("sends an exec plan no cgroup ack; the exec'd process closing the channel is success", async () => {
    await withStandIn(async (pid) => {
      const exec: LaunchPlan = { ...plan, mode: "exec", steps: [step("CLONE", "0")], cgroupSync: false };
      const shim = fakeInit("exec", [["pid", "$PID"], "quiet"], pid);
      expect((await launch(exec, new ShimProcess(shim, 0), {})).pid).toBe(pid);
    });
  });

  it("does not wait on the socket for a runts-init that died before its pid message", async () => {
    const shim = fakeInit("died-after-clone", ["forkhold"], 0);
    try {
      const t0 = Date.now();
      await expect(launch(plan, new ShimProcess(shim, 0), {})).rejects.toThrow(
        /runts-init \(pid \d+\) exited before it started the container/,
      );
      // Not after the holder's 30 s: the read did not wait on it.
      expect(Date.now() - t0).toBeLessThan(5000);
    } finally {
      const holder = Number(readFileSync(`${shim}.holder`, "utf8"));
      if (holder > 0) process.kill(holder, "SIGKILL");
    }
  }, 15_000);

  it("says runts-init died when it leaves without a word", async () => {
    const shim = fakeInit("silent", [], 0);
    await expect(launch(plan, new ShimProcess(shim, 0), {})).rejects.toThrow(/runts-init \(pid \d+\) exited before it started the container/);
  });
});

describe("runts-init reading its plan", () => {
  const shim = fileURLToPath(new URL("../../native-shims/runts-init", import.meta.url));
  beforeAll(() => {
    // A build output: without it every test below would fail with a spawn error.
    if (!existsSync(shim)) throw new Error(`${shim} is missing: run \`npm run build\` first`);
  });

  /** The error runts-init reports for a plan of these bytes (after the length). */
  async function refusal(body: string): Promise<string[] | undefined> {
    const init = new ShimProcess(shim, 0);
    try {
      const bytes = new TextEncoder().encode(body);
      const msg = new Uint8Array(4 + bytes.length);
      new DataView(msg.buffer).setUint32(0, bytes.length, true);
      msg.set(bytes, 4);
      init.channel.write(msg);
      return init.channel.read();
    } finally {
      init.release();
    }
  }

  it("refuses a plan whose fields do not add up, before doing anything", async () => {
    expect(await refusal("x\u00000\u0000")).toEqual(["error", "plan", "", "22", "bad number in plan"]);
    expect(await refusal(" 6\u00000\u0000")).toEqual(["error", "plan", "", "22", "bad number in plan"]);
    expect(await refusal("6\u00000")).toEqual(["error", "plan", "", "22", "truncated plan"]);
    // Two arguments announced, one there.
    expect(await refusal("24\u00002\u0000/a\u0000")).toEqual(["error", "plan", "", "22", "truncated plan"]);
  });
});
