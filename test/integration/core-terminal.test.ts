/**
 * Core: process.terminal. With --console-socket, the runtime sends the pty
 * master over the unix socket (SCM_RIGHTS) and the container's stdio is the
 * slave; a tiny Python receiver (Node cannot receive descriptors) types into
 * it and collects what comes back. Without a console socket, `run` in the
 * foreground relays between its own stdio and the pty.
 */
import path from "node:path";
import { describe, expect, test } from "vitest";
import { isRoot, newContainerId } from "../helpers/context.js";
import { isAlive, useFileLeakCheck, waitUntil } from "../helpers/core.js";
import { useRuntimeEnv } from "../helpers/harness.js";
import { type Receiver, useReceivers } from "../helpers/receiver.js";

/**
 * argv: socket path, text to type, timeout seconds. Prints "ready" once
 * listening; after receiving the master, writes the text, reads until EOF/EIO
 * (every slave closed) or the timeout, and prints one JSON line:
 * {"output": ..., "timedOut": bool, "fds": n}.
 */
const RECEIVER = String.raw`
import json, os, select, sys, time
path, text, timeout = sys.argv[1], sys.argv[2], float(sys.argv[3])
msg, fds = receive_fds(path, timeout)
if len(fds) != 1:
    print(json.dumps({"output": "", "timedOut": False, "fds": len(fds), "name": msg.decode(errors="replace")}), flush=True)
    sys.exit(1)
master = fds[0]
os.write(master, text.encode())
out = b""
deadline = time.time() + timeout
timed_out = False
while True:
    left = deadline - time.time()
    if left <= 0:
        timed_out = True
        break
    r, _, _ = select.select([master], [], [], left)
    if not r:
        continue
    try:
        chunk = os.read(master, 4096)
    except OSError:
        break  # EIO: the last slave descriptor was closed
    if not chunk:
        break
    out += chunk
print(json.dumps({"output": out.decode(errors="replace"), "timedOut": timed_out, "fds": 1, "name": msg.decode(errors="replace")}), flush=True)
`;

interface Received {
  output: string;
  timedOut: boolean;
  fds: number;
  name: string;
}

const TYPED = "tty; [ -t 0 ] && [ -t 1 ] && echo is-a-tty; stty size; stat -c console=%t:%T /dev/console; echo h''i; exit 7\n";

function checkSession(r: Received): void {
  expect(r.timedOut, `receiver timed out; got so far: ${JSON.stringify(r.output)}`).toBe(false);
  expect(r.fds).toBe(1);
  const lines = r.output.split(/\r?\n/).map((l) => l.replace(/\r/g, ""));
  expect(lines).toContain("/dev/pts/0");
  expect(lines).toContain("is-a-tty");
  // consoleSize from config.json.
  expect(lines).toContain("40 100");
  // /dev/console is the pty slave: major 136 (0x88).
  expect(lines).toContain("console=88:0");
  // "h''i" in the echoed input; only the shell's output reads "hi".
  expect(lines).toContain("hi");
}

describe.skipIf(!isRoot)("core: terminal", () => {
  useFileLeakCheck();
  const env = useRuntimeEnv();
  const consoles = useReceivers<Received>(RECEIVER, "console");

  function terminalBundle(args = ["sh"]) {
    return env.bundle({
      args,
      mutate: (cfg) => {
        cfg.process!.terminal = true;
        cfg.process!["consoleSize"] = { height: 40, width: 100 };
      },
    });
  }

  /** A receiver on a fresh socket that types `text`, once it listens. */
  function receiver(text = TYPED, timeoutSec = 10): Promise<Receiver<Received>> {
    return consoles.start("console.sock", [text, String(timeoutSec)]);
  }

  test("create --console-socket + start: the master arrives, the process has a tty", async () => {
    const { rt } = env;
    const bundle = await terminalBundle();
    const recv = await receiver();
    const id = await rt.create(bundle, newContainerId(), ["--console-socket", recv.socket]);
    expect((await rt.state(id)).status).toBe("created");
    await rt.start(id);
    const session = await recv.result;
    checkSession(session);
    await rt.waitForStatus(id, "stopped");
  });

  test("run -d --console-socket", async () => {
    const { rt } = env;
    const bundle = await terminalBundle();
    const recv = await receiver();
    const r = await rt.run(bundle, newContainerId(), ["-d", "--console-socket", recv.socket]);
    expect(r.code, r.stderr).toBe(0);
    checkSession(await recv.result);
    await rt.waitForStatus(r.id, "stopped");
  });

  test("a console socket that nobody listens on fails create cleanly", async () => {
    const { rt } = env;
    const bundle = await terminalBundle();
    const id = newContainerId();
    const r = await rt.exec(["create", "--bundle", bundle.dir, "--console-socket", path.join(consoles.dir(), "nobody.sock"), id], {
      stdio: rt.ioFiles(id),
    });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/nobody\.sock/);
    expect(rt.listStateDirs()).toEqual([]);
  });

  test("terminal: true without a console socket is refused by create and run -d (as runc)", async () => {
    // runc: "cannot allocate tty if runc will detach without setting console socket".
    const { rt } = env;
    const bundle = await terminalBundle();
    const id = newContainerId();
    const r = await rt.exec(["create", "--bundle", bundle.dir, id], { stdio: rt.ioFiles(id) });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/console[- ]socket/);
    expect(rt.listStateDirs()).toEqual([]);

    const d = await rt.run(bundle, newContainerId(), ["-d"]);
    expect(d.code).not.toBe(0);
    expect(d.stderr).toMatch(/console[- ]socket/);
    expect(rt.listStateDirs()).toEqual([]);
  });

  test("run in the foreground with terminal: true and no console socket relays the pty", async () => {
    const { rt } = env;
    const bundle = await terminalBundle();
    const r = await rt.run(bundle, newContainerId(), [], { input: TYPED, timeoutMs: 15_000 });
    expect(r.timedOut, `${r.stderr}\n${rt.logTail()}`).toBe(false);
    expect(r.code, r.stderr).toBe(7);
    const lines = r.stdout.split(/\r?\n/).map((l) => l.replace(/\r/g, ""));
    expect(lines).toContain("/dev/pts/0");
    expect(lines).toContain("is-a-tty");
    expect(lines).toContain("hi");
    expect(rt.listStateDirs()).toEqual([]);
  });

  test("run in the foreground with a terminal: output of a non-interactive command and its exit code", async () => {
    const { rt } = env;
    const bundle = await terminalBundle(["sh", "-c", "tty; echo out; exit 5"]);
    const r = await rt.run(bundle, newContainerId(), [], { timeoutMs: 15_000 });
    expect(r.timedOut, r.stderr).toBe(false);
    expect(r.code, r.stderr).toBe(5);
    expect(r.stdout.replace(/\r/g, "")).toBe("/dev/pts/0\nout\n");
  });

  test("the container's pty closes when it exits: no slave descriptor is left in the runtime", async () => {
    const { rt } = env;
    const bundle = await terminalBundle(["sh", "-c", "echo bye"]);
    const recv = await receiver("");
    const id = await rt.create(bundle, newContainerId(), ["--console-socket", recv.socket]);
    const { pid } = await rt.state(id);
    await rt.start(id);
    const session = await recv.result;
    expect(session.timedOut, "the master never saw EOF/EIO: someone still holds the slave").toBe(false);
    expect(session.output.replace(/\r/g, "")).toBe("bye\n");
    await waitUntil(() => !isAlive(pid), "the container process to exit");
  });
});
