/**
 * A tiny Python program that listens on a unix socket for the descriptor a
 * runtime sends (SCM_RIGHTS: Node cannot receive descriptors), then prints one
 * JSON line about it. Its argv is the socket path followed by `args`; it
 * starts with receive_fds(path, timeout) defined (below), which prints
 * "ready" once it listens and returns the message and the descriptors.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import path from "node:path";
import { afterEach } from "vitest";
import { tmpPrefix } from "./context.js";

const RECEIVE_FDS = String.raw`
import array, socket
def receive_fds(path, timeout):
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(1)
    print("ready", flush=True)
    srv.settimeout(timeout)
    conn, _ = srv.accept()
    fds = array.array("i")
    msg, anc, flags, addr = conn.recvmsg(4096, socket.CMSG_SPACE(16 * fds.itemsize))
    for level, kind, data in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(data[: len(data) - (len(data) % fds.itemsize)])
    conn.close()
    srv.close()
    return msg, fds
`;

export interface Receiver<T> {
  socket: string;
  /** The JSON line the script printed; rejects if it printed none. */
  result: Promise<T>;
  kill(): void;
}

/** Start `script` on `socket` and wait until it listens. */
async function startReceiver<T>(script: string, socket: string, args: string[] = []): Promise<Receiver<T>> {
  const child = spawn("python3", ["-c", RECEIVE_FDS + script, socket, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
      if (stdout.startsWith("ready\n")) resolve();
    });
    child.on("exit", () => reject(new Error(`descriptor receiver exited early: ${stderr}`)));
  });
  const result = new Promise<T>((resolve, reject) => {
    child.on("close", (code) => {
      const line = stdout.split("\n").find((l) => l.startsWith("{"));
      if (line === undefined) reject(new Error(`descriptor receiver failed (exit ${code}): ${stderr}`));
      else resolve(JSON.parse(line) as T);
    });
  });
  result.catch(() => {});
  await ready;
  return { socket, result, kill: () => child.kill("SIGKILL") };
}

/**
 * For a describe block: receivers started in a temp dir of its own; after each
 * test they are killed and the dir removed.
 */
export function useReceivers<T>(script: string, kind: string): {
  start(socketName: string, args?: string[]): Promise<Receiver<T>>;
  dir(): string;
} {
  let tmp: string | undefined;
  const live: Receiver<T>[] = [];
  afterEach(() => {
    for (const r of live.splice(0)) r.kill();
    if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
    tmp = undefined;
  });
  const dir = (): string => (tmp ??= mkdtempSync(tmpPrefix(kind)));
  return {
    dir,
    async start(socketName, args = []) {
      const r = await startReceiver<T>(script, path.join(dir(), socketName), args);
      live.push(r);
      return r;
    },
  };
}
