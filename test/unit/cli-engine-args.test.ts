import { describe, expect, it } from "vitest";
import { parseArgs } from "../../src/cli/args.js";
import { parseEngineArgs } from "../../src/cli/engine-args.js";

const opts = { cwd: "/work", euid: 0, env: {} };

/** Every line either goes to parseArgs (undefined) or reads exactly as parseArgs reads it. */
function same(argv: string[]): "fast" | "full" {
  const fast = parseEngineArgs(argv, opts);
  if (fast === undefined) return "full";
  expect(fast, argv.join(" ")).toEqual(parseArgs(argv, opts));
  expect([...fast.global.set], argv.join(" ")).toEqual([...parseArgs(argv, opts).global.set]);
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

  it("leaves everything else to the full parser", () => {
    const lines = [
      ["--root", "/r", "state"],
      ["--root", "/r", "state", "a", "b"],
      ["--root", "/r", "state", "--help"],
      ["--root", "/r", "state", "-h", "x"],
      ["--root", "/r", "delete", "x"],
      ["--root", "/r", "kill", "x"],
      ["--root", "/r", "run", "x"],
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
