/**
 * Core: --pidfd-socket (runc 1.2). runts-init sends a pidfd of the container
 * process over the unix socket (SCM_RIGHTS), named "pidfd"; a tiny Python
 * receiver reads which process it refers to from its fdinfo.
 */
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

  test("create sends a pidfd of the container's init, which state reports", async () => {
    const bundle = await env.bundle({ args: ["sleep", "1000"] });
    const recv = await receiver();
    const id = await env.rt.create(bundle, newContainerId(), ["--pidfd-socket", recv.socket]);
    const got = await recv.result;
    expect(got).toMatchObject({ name: "pidfd", fds: 1, link: "anon_inode:[pidfd]" });
    expect(got.pid).toBe((await env.rt.state(id)).pid);
  });

  test("run -d does too", async () => {
    const bundle = await env.bundle({ args: ["sleep", "1000"] });
    const recv = await receiver();
    const id = newContainerId();
    await env.rt.run(bundle, id, ["-d", "--pidfd-socket", recv.socket]);
    const got = await recv.result;
    expect(got.fds).toBe(1);
    expect(got.pid).toBe((await env.rt.state(id)).pid);
  });
});
