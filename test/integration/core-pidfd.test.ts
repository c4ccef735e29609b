/**
 * Core: --pidfd-socket (runc 1.2). runts-init sends a pidfd of the container
 * process over the unix socket (SCM_RIGHTS), named "pidfd"; a tiny Python
 * receiver reads which process it refers to from its fdinfo.
 */
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { isRoot, newContainerId } from "../helpers/context.js";
import { useFileLeakCheck } from "../helpers/core.js";
import { useRuntimeEnv } from "../helpers/harness.js";
import { type Receiver, useReceivers } from "../helpers/receiver.js";

/** Prints one JSON line: the message text, how many descriptors came, and the Pid: of the first one's fdinfo. */
const PIDFD_RECEIVER = String.raw`
import json, os, sys
msg, fds = receive_fds(sys.argv[1], 10)
pid = None
link = None
if len(fds) == 1:
    link = os.readlink(f"/proc/self/fd/{fds[0]}")
    for line in open(f"/proc/self/fdinfo/{fds[0]}"):
        if line.startswith("Pid:"):
            pid = int(line.split()[1])
print(json.dumps({"name": msg.decode(errors="replace"), "fds": len(fds), "pid": pid, "link": link}), flush=True)
`;

/** The innermost pid namespace's number of a process (last field of NSpid in its status). */
function nsPid(pid: number): string | undefined {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((l) => l.startsWith("NSpid:"));
  return line?.trim().split(/\s+/).at(-1);
}

interface Received {
  name: string;
  fds: number;
  pid: number | null;
  link: string | null;
}

describe.skipIf(!isRoot)("core: --pidfd-socket", () => {
  useFileLeakCheck();
  const env = useRuntimeEnv();
  const pidfds = useReceivers<Received>(PIDFD_RECEIVER, "pidfd");
  const receiver = (): Promise<Receiver<Received>> => pidfds.start("pidfd.sock");

  for (const command of ["create", "run -d"] as const) {
    test(`${command} sends a pidfd of the container's init, which state reports`, async () => {
      const bundle = await env.bundle({ args: ["sleep", "1000"] });
      const recv = await receiver();
      const id = newContainerId();
      if (command === "create") {
        await env.rt.create(bundle, id, ["--pidfd-socket", recv.socket]);
      } else {
        const r = await env.rt.run(bundle, id, ["-d", "--pidfd-socket", recv.socket]);
        expect(r.code, r.stderr).toBe(0);
      }
      const got = await recv.result;
      expect(got).toMatchObject({ name: "pidfd", fds: 1, link: "anon_inode:[pidfd]" });
      const { pid } = await env.rt.state(id);
      expect(got.pid).toBe(pid);
      // And independently of runts: the process the pidfd names (that pid, as just checked) is pid 1 of a pid namespace.
      expect(nsPid(pid)).toBe("1");
    });
  }
});
