import { describe, expect, it } from "vitest";
import { parseArgs } from "../../src/cli/args.js";
import { COMMANDS } from "../../src/cli/commands.js";
import { parseEngineArgs } from "../../src/cli/engine-args.js";

const opts = { cwd: "/work", euid: 0, env: {} };

/** Every line either goes to parseArgs (undefined) or reads exactly as parseArgs reads it. */
function same(argv: string[]): "fast" | "full" {
  const fast = parseEngineArgs(argv, opts);
  if (fast === undefined) return "full";
  expect(fast, argv.join(" ")).toEqual(parseArgs(argv, opts));
  expect([...fast.global.set], argv.join(" ")).toEqual([...parseArgs(argv, opts).global.set]);
  expect([...fast.set], argv.join(" ")).toEqual([...parseArgs(argv, opts).set]);
  return "fast";
}

describe("the engines' common argument vectors", () => {
  it("reads what containerd, Podman and Docker send for state/start/pause/resume as parseArgs does", () => {
    const lines = [
      ["--root", "/run/containerd/runc/k8s.io", "--log", "/run/x/log.json", "--log-format", "json", "state", "abc"],
      ["--root", "/run/runts", "state", "abc"],
      ["--root=/run/runts", "--log=/l", "--log-format=text", "start", "a.b_c-1"],
      ["-root", "/r", "-log", "/l", "pause", "x"],
      ["--debug", "--systemd-cgroup", "--root", "/r", "resume", "x"],
      ["--log-format", "json", "--root", "/", "state", "x"],
      ["state", "x"],
      ["--log", "rel/log", "--root", "/r", "state", "x"],
    ];
    for (const l of lines) expect(same(l), l.join(" ")).toBe("fast");
  });

  it("reads the create and run lines of containerd, Podman, Docker and go-runc as parseArgs does", () => {
    const lines = [
      ["--root", "/run/containerd/runc/default", "--log", "/run/c/log.json", "--log-format", "json", "create", "--bundle", "/run/c/b", "--pid-file", "/run/c/init.pid", "abc"],
      ["--root", "/r", "--log", "/l", "--log-format", "json", "create", "--bundle", "/b", "--pid-file", "/p", "--console-socket", "/s", "abc"],
      ["--systemd-cgroup", "--root", "/r", "create", "--bundle", "/b", "--pid-file", "/p", "--no-new-keyring", "x"],
      ["--root", "/r", "create", "-bundle", "/b", "-pid-file", "/p", "x"],
      ["--root", "/r", "create", "-b", "rel/b", "--preserve-fds", "2", "x"],
      ["--root", "/r", "create", "--bundle=/b", "--pidfd-socket=/s", "--no-pivot", "x"],
      ["--root", "/r", "create", "x"],
      ["--root", "/r", "run", "--bundle", "/b", "x"],
      ["--root", "/r", "run", "-d", "--bundle", "/b", "--pid-file", "/p", "x"],
      ["--root", "/r", "run", "--detach", "--keep", "--no-subreaper", "-b", "/b", "x"],
      ["--root", "/r", "run", "--preserve-fds", "0", "--bundle", "/b", "x"],
    ];
    for (const l of lines) expect(same(l), l.join(" ")).toBe("fast");
  });

  it("reads every flag runc's create and run declare, by each of its names, as parseArgs does", () => {
    // engine-args.ts writes create's and run's flag shapes out again: held here to cli/commands.ts's.
    for (const command of ["create", "run"] as const) {
      for (const f of COMMANDS[command].flags) {
        const value = f.kind === "bool" ? [] : f.kind === "int" ? ["3"] : ["/x"];
        for (const name of [f.name, ...f.aliases]) {
          const line = ["--root", "/r", command, `--${name}`, ...value, "id"];
          expect(same(line), line.join(" ")).toBe("fast");
        }
      }
    }
    // Flags given out of their declaration order are listed in it, as parseArgs lists them.
    expect(same(["--root", "/r", "create", "--pid-file", "/p", "--no-pivot", "--bundle", "/b", "x"])).toBe("fast");
  });

  it("leaves create and run lines it does not read exactly to the full parser", () => {
    const lines = [
      ["--root", "/r", "create", "--bundle", "/b", "x", "--pid-file", "/p"],
      ["--root", "/r", "create", "x", "y"],
      ["--root", "/r", "create"],
      ["--root", "/r", "create", "--bundle", "/b"],
      ["--root", "/r", "create", "--bundle", "/a", "--bundle", "/b", "x"],
      ["--root", "/r", "create", "-b", "/a", "--bundle", "/b", "x"],
      ["--root", "/r", "create", "-d", "--bundle", "/b", "x"],
      ["--root", "/r", "create", "--keep", "x"],
      ["--root", "/r", "create", "--no-pivot=true", "x"],
      ["--root", "/r", "run", "--detach=false", "x"],
      ["--root", "/r", "create", "--bundle=", "x"],
      ["--root", "/r", "create", "--bundle", "-x", "x"],
      ["--root", "/r", "create", "--preserve-fds", "007", "x"],
      ["--root", "/r", "create", "--preserve-fds", "-1", "x"],
      ["--root", "/r", "create", "--preserve-fds", "0x2", "x"],
      ["--root", "/r", "create", "--preserve-fds", "99999999999", "x"],
      ["--root", "/r", "create", "--help", "x"],
      ["--root", "/r", "run", "-h"],
      ["--root", "/r", "create", "--", "x"],
      ["--root", "/r", "create", "--unknown", "x"],
      ["--root", "/r", "run", "--bundle", "/b", "-x"],
    ];
    for (const l of lines) expect(same(l), l.join(" ")).toBe("full");
  });

  it("leaves everything else to the full parser", () => {
    const lines = [
      ["--root", "/r", "state"],
      ["--root", "/r", "state", "a", "b"],
      ["--root", "/r", "state", "--help"],
      ["--root", "/r", "state", "-h", "x"],
      ["--root", "/r", "delete", "x"],
      ["--root", "/r", "kill", "x"],
      ["--root", "relative", "state", "x"],
      ["--root", "/r/", "state", "x"],
      ["--root", "/r//s", "state", "x"],
      ["--root", "/r/./s", "state", "x"],
      ["--root", "/r/..", "state", "x"],
      ["--root", "/a", "--root", "/b", "state", "x"],
      ["--root=", "state", "x"],
      ["--root", "-x", "state", "x"],
      ["--log-format", "xml", "state", "x"],
      ["--debug=false", "state", "x"],
      ["--rootless", "true", "state", "x"],
      ["--criu", "/c", "state", "x"],
      ["--version"],
      ["-v"],
      ["--", "state", "x"],
      ["-", "state", "x"],
      ["--root", "/r", "state", "-x"],
      ["--root", "/r", "help", "state"],
      ["--root"],
      [],
    ];
    for (const l of lines) expect(same(l), l.join(" ")).toBe("full");
  });

  it("uses the default root only for root (as parseArgs: $XDG_RUNTIME_DIR otherwise)", () => {
    expect(parseEngineArgs(["state", "x"], { euid: 0 })?.global.root).toBe("/run/runts");
    expect(parseEngineArgs(["state", "x"], { euid: 1000 })).toBeUndefined();
  });
});
