import { constants as osConstants } from "node:os";
import { SIGNAL_NAMES } from "../../src/signals.js";
import { describe, expect, it } from "vitest";
import { RuntsError } from "../../src/errors.js";
import {
  UsageError,
  deleteArgs,
  eventsArgs,
  execArgs,
  killArgs,
  listArgs,
  parseArgs,
  parseGoDuration,
  parseGoInt,
  parseSignal,
  psArgs,
  reorderArgs,
  specArgs,
  updateArgs,
  type ParseOptions,
  type ParsedCommandLine,
} from "../../src/cli/args.js";
import { createArgs, runArgs } from "../../src/cli/flags.js";
import { COMMANDS, COMMAND_NAMES, type CommandName, commandHelp } from "../../src/cli/commands.js";

const OPTS: ParseOptions = { cwd: "/work/dir", env: {}, euid: 0 };
const parse = (...argv: string[]): ParsedCommandLine => parseArgs(argv, OPTS);

/** The UsageError parsing argv throws. */
function usageError(...argv: string[]): UsageError {
  try {
    parse(...argv);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return err as UsageError;
  }
  throw new Error(`no error for ${argv.join(" ")}`);
}

describe("global flags", () => {
  it("has runc's defaults (root /run/runts)", () => {
    const p = parse("list");
    expect(p.global).toMatchObject({
      root: "/run/runts",
      log: "",
      logFormat: "text",
      debug: false,
      systemdCgroup: false,
      rootless: "auto",
      criu: "criu",
    });
    expect(p.global.set.size).toBe(0);
  });

  it("parses the containerd shape: --root R --log B/log.json --log-format json create --bundle B --pid-file B/init.pid ID", () => {
    const p = parse(
      "--root", "/run/containerd/runc/k8s.io",
      "--log", "/b/log.json",
      "--log-format", "json",
      "create", "--bundle", "/b", "--pid-file", "/b/init.pid", "ctr1",
    );
    expect(p.global.root).toBe("/run/containerd/runc/k8s.io");
    expect(p.global.log).toBe("/b/log.json");
    expect(p.global.logFormat).toBe("json");
    expect([...p.global.set].sort()).toEqual(["log", "log-format", "root"]);
    expect(p.command).toBe("create");
    expect(p.flags["bundle"]).toBe("/b");
    expect(p.flags["pid-file"]).toBe("/b/init.pid");
    expect(p.positionals).toEqual(["ctr1"]);
    expect(createArgs(p)).toEqual({
      id: "ctr1",
      bundle: "/b",
      pidFile: "/b/init.pid",
      noPivot: false,
      noNewKeyring: false,
      preserveFds: 0,
    });
  });

  it("accepts single-dash long globals, =values, bool=value, --rootless=true|false|auto", () => {
    const p = parse("-root=rel/dir", "-log-format=json", "--debug=false", "--systemd-cgroup", "--rootless=false", "--criu", "/x", "state", "c");
    expect(p.global.root).toBe("/work/dir/rel/dir");
    expect(p.global.logFormat).toBe("json");
    expect(p.global.debug).toBe(false);
    expect(p.global.systemdCgroup).toBe(true);
    expect(p.global.rootless).toBe(false);
    expect(p.global.criu).toBe("/x");
    expect(parse("--rootless", "true", "list").global.rootless).toBe(true);
    expect(parse("--rootless", "AUTO", "list").global.rootless).toBe("auto");
    expect(parse("--debug", "list").global.debug).toBe(true);
  });

  it("uses $XDG_RUNTIME_DIR/runts as the default root when not root", () => {
    expect(parseArgs(["list"], { env: { XDG_RUNTIME_DIR: "/run/user/1000" }, euid: 1000 }).global.root).toBe("/run/user/1000/runts");
    expect(parseArgs(["list"], { env: { XDG_RUNTIME_DIR: "/run/user/1000" }, euid: 0 }).global.root).toBe("/run/runts");
    expect(parseArgs(["--root", "/r", "list"], { env: { XDG_RUNTIME_DIR: "/x" }, euid: 1000 }).global.root).toBe("/r");
  });

  it("`--` ends the global flags", () => {
    const p = parse("--root", "/r", "--", "state", "c");
    expect(p.command).toBe("state");
    expect(p.positionals).toEqual(["c"]);
  });

  it("rejects an invalid --rootless with strconv's message, after the usage checks", () => {
    const e = usageError("--rootless", "maybe", "state", "c");
    expect(e.message).toBe('strconv.ParseBool: parsing "maybe": invalid syntax');
    expect(e.stdout).toBe("");
    expect(e.exitCode).toBe(1);
    expect(usageError("--rootless", "maybe", "state").message).toBe('runts: "state" requires exactly 1 argument(s)');
    expect(parse("--rootless", "maybe", "--help").command).toBe("help");
  });

  it("usage errors carry the global options once the global flags were valid (for --log/--log-format)", () => {
    expect(usageError("--log", "/l.json", "--log-format", "json", "state").global).toMatchObject({ log: "/l.json", logFormat: "json" });
    expect(usageError("--log", "/l.json", "--log-format", "json", "foo").global).toMatchObject({ log: "/l.json", logFormat: "json" });
    expect(usageError("--log", "/l.json", "--xyz", "state", "c").global).toBeUndefined();
    expect(usageError("--log", "/l.json", "--log-format", "xml", "state", "c").global).toBeUndefined();
  });

  it("rejects an invalid --log-format like runc's Before hook", () => {
    const e = usageError("--log-format", "xml", "state", "c");
    expect(e.message).toBe("invalid log-format: xml");
    expect(e.exitCode).toBe(1);
    expect(e.stdout.startsWith("invalid log-format: xml\n\nNAME:\n   runts - ")).toBe(true);
  });

  it("does not accept global flags after the command", () => {
    const e = usageError("state", "--root", "/r", "c");
    expect(e.message).toBe("flag provided but not defined: -root");
  });
});

describe("help and version", () => {
  it("no arguments, --help, -h, help, h show the application help", () => {
    for (const argv of [[], ["--help"], ["-h"], ["help"], ["h"], ["--root", "/r"]]) {
      const p = parse(...argv);
      expect(p.command).toBe("help");
      expect(p.positionals).toEqual([]);
    }
    expect(parse("--help", "state").command).toBe("help");
  });

  it("`help CMD`, `CMD --help`, `CMD -h` show the command help (before argument checks)", () => {
    expect(parse("help", "state")).toMatchObject({ command: "help", positionals: ["state"] });
    expect(parse("state", "--help")).toMatchObject({ command: "help", positionals: ["state"] });
    expect(parse("kill", "-h")).toMatchObject({ command: "help", positionals: ["kill"] });
    expect(parse("state", "--help=false", "c")).toMatchObject({ command: "state", positionals: ["c"] });
  });

  it("-v and --version", () => {
    expect(parse("-v").command).toBe("version");
    expect(parse("--version", "state").command).toBe("version");
  });

  it("command help has runc 1.1's text: argument explanations, examples, DESCRIPTION", () => {
    // Captured: \`runc <command> --help\` of runc 1.1.5, with "runc" read as "runts".
    const captured = {
      state: "NAME:\n   runts state - output the state of a container\n\nUSAGE:\n   runts state <container-id>\n\nWhere \"<container-id>\" is your name for the instance of the container.\n\nDESCRIPTION:\n   The state command outputs current state information for the\ninstance of a container.\n",
      pause: "NAME:\n   runts pause - pause suspends all processes inside the container\n\nUSAGE:\n   runts pause <container-id>\n\nWhere \"<container-id>\" is the name for the instance of the container to be\npaused. \n\nDESCRIPTION:\n   The pause command suspends all processes in the instance of the container.\n\nUse runts list to identify instances of containers and their current status.\n",
      delete: "NAME:\n   runts delete - delete any resources held by the container often used with detached container\n\nUSAGE:\n   runts delete [command options] <container-id>\n\nWhere \"<container-id>\" is the name for the instance of the container.\n\nEXAMPLE:\nFor example, if the container id is \"ubuntu01\" and runts list currently shows the\nstatus of \"ubuntu01\" as \"stopped\" the following will delete resources held for\n\"ubuntu01\" removing \"ubuntu01\" from the runts list of containers:\n\n       # runts delete ubuntu01\n\nOPTIONS:\n   --force, -f  Forcibly deletes the container if it is still running (uses SIGKILL)\n   \n",
    };
    for (const [name, text] of Object.entries(captured)) expect(commandHelp(name as CommandName), name).toBe(text);
    // A usage of several lines ends the tabwriter's block: the flags after it align among themselves.
    expect(commandHelp("update")).toContain(
      "other options are ignored.\n   --blkio-weight value        Specifies per cgroup weight, range is from 10 to 1000 (default: 0)\n   --cpu-period value          CPU",
    );
    for (const c of COMMAND_NAMES) {
      const d = COMMANDS[c].description;
      if (d !== undefined) expect(commandHelp(c), c).toContain(`\n\nDESCRIPTION:\n   ${d}\n`);
    }
  });

  it("command help renders like urfave/cli", () => {
    const h = commandHelp("kill");
    expect(h.startsWith("NAME:\n   runts kill - kill sends the specified signal (default: SIGTERM) to the container's init process\n\nUSAGE:\n   runts kill [command options] <container-id> [signal]\n")).toBe(true);
    expect(h).toContain("\nOPTIONS:\n   --all, -a  send the specified signal to all processes inside the container\n");
    expect(commandHelp("state")).toContain("USAGE:\n   runts state <container-id>\n");
    expect(commandHelp("state")).not.toContain("OPTIONS");
  });
});

describe("command flags", () => {
  it("--flag value, --flag=value, -flag value, -flag=value are all the same", () => {
    for (const argv of [
      ["create", "--bundle", "/b", "c"],
      ["create", "--bundle=/b", "c"],
      ["create", "-bundle", "/b", "c"],
      ["create", "-bundle=/b", "c"],
      ["create", "-b", "/b", "c"],
      ["create", "--b=/b", "c"],
    ]) {
      expect(parse(...argv).flags["bundle"]).toBe("/b");
    }
  });

  it("go-runc's single-dash forms: -no-subreaper, -pid-file x, -console-socket x", () => {
    const p = parse("run", "-no-subreaper", "-pid-file", "/p", "-console-socket", "/s", "-d", "c");
    expect(runArgs(p)).toEqual({
      id: "c",
      bundle: "/work/dir",
      consoleSocket: "/s",
      pidFile: "/p",
      noPivot: false,
      noNewKeyring: false,
      preserveFds: 0,
      detach: true,
      keep: false,
      noSubreaper: true,
    });
  });

  it("bool flags take =true|false (Go ParseBool forms) but never the next argument", () => {
    expect(parse("run", "--detach=false", "c").flags["detach"]).toBe(false);
    expect(parse("run", "--detach=T", "c").flags["detach"]).toBe(true);
    expect(parse("run", "--detach=0", "c").flags["detach"]).toBe(false);
    const p = parse("run", "--keep", "c");
    expect(p.flags["keep"]).toBe(true);
    expect(p.positionals).toEqual(["c"]);
  });

  it("every runc create/run flag", () => {
    const p = parse("run", "-b", "rel", "--console-socket", "/s", "--pid-file", "p", "--no-pivot", "--no-new-keyring", "--preserve-fds", "0x10", "-d", "--keep", "--no-subreaper", "c");
    expect(runArgs(p)).toEqual({
      id: "c",
      bundle: "/work/dir/rel",
      consoleSocket: "/s",
      pidFile: "p",
      noPivot: true,
      noNewKeyring: true,
      preserveFds: 16,
      detach: true,
      keep: true,
      noSubreaper: true,
    });
    expect(p.flags["preserve-fds"]).toBe("16");
    expect(createArgs(parse("create", "c"), "/cwd").bundle).toBe("/cwd");
  });

  it("kill --all ID 9, kill -a ID KILL, kill ID (SIGTERM)", () => {
    expect(killArgs(parse("kill", "--all", "c", "9"))).toEqual({ id: "c", signal: "9", all: true });
    expect(killArgs(parse("kill", "-a", "c", "KILL"))).toEqual({ id: "c", signal: "KILL", all: true });
    expect(killArgs(parse("kill", "c"))).toEqual({ id: "c", signal: "SIGTERM", all: false });
  });

  it("reorders like urfave/cli v1: `kill ID --all` sets --all, `kill ID --all KILL` targets container KILL", () => {
    expect(killArgs(parse("kill", "c", "--all"))).toEqual({ id: "c", signal: "SIGTERM", all: true });
    // observed with runc 1.1.5: "container does not exist" (id "KILL", signal "c")
    expect(killArgs(parse("kill", "c", "--all", "KILL"))).toEqual({ id: "KILL", signal: "c", all: true });
    // observed: unknown signal "foo"
    expect(killArgs(parse("kill", "c", "foo", "--all"))).toEqual({ id: "c", signal: "foo", all: true });
    expect(deleteArgs(parse("delete", "c", "-f"))).toEqual({ id: "c", force: true });
    expect(reorderArgs(["a", "--x", "v", "b", "--", "--y"])).toEqual(["--x", "v", "a", "b", "--", "--y"]);
    expect(reorderArgs(["a", "--x=1", "b"])).toEqual(["--x=1", "a", "b"]);
    expect(reorderArgs(["-", "a"])).toEqual(["-", "a"]);
  });

  it("`--` ends the flags; `state -- c` works, `kill -- c --all` keeps --all positional", () => {
    expect(parse("state", "--", "c").positionals).toEqual(["c"]);
    const p = parse("kill", "--", "c", "--all");
    expect(killArgs(p)).toEqual({ id: "c", signal: "--all", all: false });
  });

  it("delete --force ID / delete -f ID", () => {
    expect(deleteArgs(parse("delete", "--force", "c"))).toEqual({ id: "c", force: true });
    expect(deleteArgs(parse("delete", "-f", "c"))).toEqual({ id: "c", force: true });
    expect(deleteArgs(parse("delete", "c"))).toEqual({ id: "c", force: false });
  });

  it("list -f json, --format=table, -q", () => {
    expect(listArgs(parse("list"))).toEqual({ format: "table", quiet: false });
    expect(listArgs(parse("list", "-f", "json"))).toEqual({ format: "json", quiet: false });
    expect(listArgs(parse("list", "--format=json", "-q"))).toEqual({ format: "json", quiet: true });
    expect(listArgs(parse("list", "--quiet"))).toEqual({ format: "table", quiet: true });
  });

  it("ps --format json ID; ps does not reorder: trailing arguments go to ps(1)", () => {
    expect(psArgs(parse("ps", "--format", "json", "c"))).toEqual({ id: "c", format: "json", psArgs: ["-ef"] });
    expect(psArgs(parse("ps", "-f", "table", "c", "-o", "pid,comm"))).toEqual({ id: "c", format: "table", psArgs: ["-o", "pid,comm"] });
    // runc passes "--format json" after the id to ps(1)
    expect(psArgs(parse("ps", "c", "--format", "json"))).toEqual({ id: "c", format: "table", psArgs: ["--format", "json"] });
    expect(psArgs(parse("ps", "c", "--")).psArgs).toEqual(["--"]);
  });

  it("exec: repeatable -e/--env, --cap, --additional-gids; the command after the id is not parsed", () => {
    const p = parse(
      "exec", "-e", "A=1", "-e", "B=2", "-e=C=3", "-t", "-u", "1:2", "-g", "10", "-g", "0x14",
      "--cwd", "/w", "--cap", "CAP_KILL", "--cap", "CAP_CHOWN", "--cgroup", "pids:/x", "--no-new-privs",
      "--process-label", "l", "--apparmor", "a", "--pid-file", "/p", "-d", "--console-socket", "/s",
      "--preserve-fds", "2", "--ignore-paused",
      "c", "sh", "-c", "echo -e $A", "--tty",
    );
    expect(execArgs(p)).toEqual({
      id: "c",
      args: ["sh", "-c", "echo -e $A", "--tty"],
      consoleSocket: "/s",
      cwd: "/w",
      env: ["A=1", "B=2", "C=3"],
      tty: true,
      user: "1:2",
      additionalGids: [10, 20],
      detach: true,
      pidFile: "/p",
      processLabel: "l",
      apparmor: "a",
      noNewPrivs: true,
      noNewPrivsSet: true,
      caps: ["CAP_KILL", "CAP_CHOWN"],
      preserveFds: 2,
      cgroup: ["pids:/x"],
      ignorePaused: true,
    });
    // containerd: exec --process F --detach --pid-file P ID
    const q = execArgs(parse("exec", "--process", "/tmp/runc-process1", "--detach", "--pid-file", "/p", "c"));
    expect(q).toMatchObject({ id: "c", args: [], process: "/tmp/runc-process1", detach: true, pidFile: "/p", noNewPrivsSet: false, env: [] });
  });

  it("update: only the given flags, ints parsed; --resources=- from stdin", () => {
    expect(updateArgs(parse("update", "--resources=-", "c"))).toEqual({ id: "c", resources: "-" });
    expect(updateArgs(parse("update", "-r", "/f.json", "c"))).toEqual({ id: "c", resources: "/f.json" });
    const p = parse(
      "update", "--blkio-weight", "500", "--cpu-period", "100000", "--cpu-quota", "5000", "--cpu-share", "512",
      "--cpu-rt-period", "1", "--cpu-rt-runtime", "2", "--cpuset-cpus", "0-1", "--cpuset-mems", "0",
      "--kernel-memory", "1", "--kernel-memory-tcp", "2", "--memory", "1g", "--memory-reservation", "512m",
      "--memory-swap", "-1", "--pids-limit", "-1", "--l3-cache-schema", "L3:0=f", "--mem-bw-schema", "MB:0=70", "c",
    );
    expect(updateArgs(p)).toEqual({
      id: "c",
      blkioWeight: 500,
      cpuPeriod: "100000",
      cpuQuota: "5000",
      cpuShare: "512",
      cpuRtPeriod: "1",
      cpuRtRuntime: "2",
      cpusetCpus: "0-1",
      cpusetMems: "0",
      kernelMemory: "1",
      kernelMemoryTcp: "2",
      memory: "1g",
      memoryReservation: "512m",
      memorySwap: "-1",
      pidsLimit: -1,
      l3CacheSchema: "L3:0=f",
      memBwSchema: "MB:0=70",
    });
  });

  it("events --interval=Ns (go-runc), --stats; default 5s", () => {
    expect(eventsArgs(parse("events", "--interval=7s", "c"))).toEqual({ id: "c", intervalMs: 7000, stats: false });
    expect(eventsArgs(parse("events", "--stats", "c"))).toEqual({ id: "c", intervalMs: 5000, stats: true });
    expect(eventsArgs(parse("events", "--interval", "1m30.5s", "c")).intervalMs).toBe(90500);
  });

  it("spec -b dir --rootless", () => {
    expect(specArgs(parse("spec", "-b", "x", "--rootless"))).toEqual({ bundle: "/work/dir/x", rootless: true });
    expect(specArgs(parse("spec"), "/here")).toEqual({ bundle: "/here", rootless: false });
  });

  it("start, state, pause, resume, features take no flags", () => {
    for (const c of ["start", "state", "pause", "resume"]) expect(parse(c, "id1")).toMatchObject({ command: c, positionals: ["id1"], flags: {} });
    expect(parse("features")).toMatchObject({ command: "features", positionals: [] });
  });

  it("checkpoint/restore flags are accepted (go-runc's -no-subreaper on restore)", () => {
    const p = parse("restore", "--image-path", "/i", "--detach", "-no-subreaper", "--bundle", "/b", "c");
    expect(p.flags).toMatchObject({ "image-path": "/i", detach: true, "no-subreaper": true, bundle: "/b" });
    const q = parse("checkpoint", "--image-path", "/i", "--leave-running", "--empty-ns", "network", "--status-fd", "3", "c");
    expect(q.flags).toMatchObject({ "leave-running": true, "empty-ns": ["network"], "status-fd": "3" });
    expect(parse("checkpoint", "c").flags["status-fd"]).toBe("-1");
  });

  it("records which flags were given explicitly under the canonical name", () => {
    expect([...parse("run", "-d", "--pid-file=/p", "c").set].sort()).toEqual(["detach", "pid-file"]);
  });
});

describe("errors, with runc's text", () => {
  it("unknown flag: flag provided but not defined: -xyz (+ Incorrect Usage and the command help on stdout)", () => {
    const e = usageError("state", "--xyz", "c");
    expect(e.message).toBe("flag provided but not defined: -xyz");
    expect(e.exitCode).toBe(1);
    expect(e.stdout).toBe(`Incorrect Usage: flag provided but not defined: -xyz\n\n${commandHelp("state")}`);
    expect(usageError("create", "-xyz=1", "c").message).toBe("flag provided but not defined: -xyz");
    expect(usageError("kill", "c", "-9").message).toBe("flag provided but not defined: -9");
  });

  it("unknown global flag: Incorrect Usage. ... + app help", () => {
    const e = usageError("--xyz", "state", "c");
    expect(e.message).toBe("flag provided but not defined: -xyz");
    expect(e.stdout.startsWith("Incorrect Usage. flag provided but not defined: -xyz\n\nNAME:\n   runts - Open Container Initiative runtime\n")).toBe(true);
  });

  it("missing value: flag needs an argument: -pid-file / -b / -root", () => {
    expect(usageError("create", "--pid-file").message).toBe("flag needs an argument: -pid-file");
    expect(usageError("create", "-pid-file").message).toBe("flag needs an argument: -pid-file");
    expect(usageError("create", "-b").message).toBe("flag needs an argument: -b");
    expect(usageError("--root").message).toBe("flag needs an argument: -root");
  });

  it("a value flag takes the next argument even if it starts with -", () => {
    expect(parse("create", "--pid-file", "--x", "c").flags["pid-file"]).toBe("--x");
  });

  it("bad values: ints, durations, bools, int64 slices", () => {
    expect(usageError("create", "--preserve-fds", "x", "c").message).toBe('invalid value "x" for flag -preserve-fds: parse error');
    expect(usageError("create", "--preserve-fds", "99999999999999999999", "c").message).toBe(
      'invalid value "99999999999999999999" for flag -preserve-fds: value out of range',
    );
    expect(usageError("events", "--interval", "5", "c").message).toBe('invalid value "5" for flag -interval: parse error');
    expect(usageError("kill", "--all=maybe", "c").message).toBe('invalid boolean value "maybe" for -all: parse error');
    expect(usageError("exec", "-g", "x", "c", "ls").message).toBe('invalid value "x" for flag -g: strconv.ParseInt: parsing "x": invalid syntax');
  });

  it("bad flag syntax and two forms of one flag", () => {
    expect(usageError("create", "---b", "x", "c").message).toBe("bad flag syntax: ---b");
    expect(usageError("create", "-=x", "c").message).toBe("bad flag syntax: -=x");
    expect(usageError("create", "-b", "x", "--bundle", "y", "c").message).toBe("Cannot use two forms of the same flag: b bundle");
    expect(usageError("create", "--bundle", "y", "-b", "x", "c").message).toBe("Cannot use two forms of the same flag: b bundle");
    // also for repeatable flags (observed: runc exec -e A=1 --env B=2 ...)
    expect(usageError("exec", "-e", "A=1", "--env", "B=2", "c", "ls").message).toBe("Cannot use two forms of the same flag: e env");
  });

  it('unknown command: No help topic for \'foo\', exit 3, nothing on stdout', () => {
    const e = usageError("foo");
    expect(e.message).toBe("No help topic for 'foo'");
    expect(e.exitCode).toBe(3);
    expect(e.stdout).toBe("");
    expect(usageError("help", "foo").exitCode).toBe(3);
  });

  it('wrong positional counts: runts: "state" requires exactly 1 argument(s)', () => {
    const e = usageError("state");
    expect(e.message).toBe('runts: "state" requires exactly 1 argument(s)');
    expect(e.exitCode).toBe(1);
    expect(e.stdout).toBe(`Incorrect Usage.\n\n${commandHelp("state")}`);
    expect(usageError("state", "a", "b").message).toBe('runts: "state" requires exactly 1 argument(s)');
    expect(usageError("list", "x").message).toBe('runts: "list" requires exactly 0 argument(s)');
    expect(usageError("kill").message).toBe('runts: "kill" requires a minimum of 1 argument(s)');
    expect(usageError("kill", "a", "b", "c").message).toBe('runts: "kill" requires a maximum of 2 argument(s)');
    expect(usageError("exec").message).toBe('runts: "exec" requires a minimum of 1 argument(s)');
    expect(usageError("ps").message).toBe('runts: "ps" requires a minimum of 1 argument(s)');
    expect(usageError("spec", "x").message).toBe('runts: "spec" requires exactly 0 argument(s)');
    expect(usageError("features", "x").message).toBe('runts: "features" requires exactly 0 argument(s)');
    expect(() => parseArgs(["start"], { ...OPTS, program: "/usr/bin/runts" })).toThrow('/usr/bin/runts: "start" requires exactly 1 argument(s)');
  });

  it("every error is a RuntsError", () => {
    expect(usageError("foo")).toBeInstanceOf(RuntsError);
  });
});

describe("command table", () => {
  it("has runc 1.1's commands and exact flag names (plus runc 1.2's --pidfd-socket)", () => {
    expect([...COMMAND_NAMES].sort()).toEqual(
      ["checkpoint", "create", "delete", "events", "exec", "features", "kill", "list", "pause", "ps", "restore", "resume", "run", "spec", "start", "state", "update"],
    );
    const names = (c: keyof typeof COMMANDS): string[] => COMMANDS[c].flags.map((f) => [f.name, ...f.aliases].join(","));
    expect(names("create")).toEqual(["bundle,b", "console-socket", "pidfd-socket", "pid-file", "no-pivot", "no-new-keyring", "preserve-fds"]);
    expect(names("run")).toEqual(["bundle,b", "console-socket", "pidfd-socket", "detach,d", "keep", "pid-file", "no-subreaper", "no-pivot", "no-new-keyring", "preserve-fds"]);
    expect(names("exec")).toEqual([
      "console-socket", "pidfd-socket", "cwd", "env,e", "tty,t", "user,u", "additional-gids,g", "process,p", "detach,d", "pid-file",
      "process-label", "apparmor", "no-new-privs", "cap,c", "preserve-fds", "cgroup", "ignore-paused",
    ]);
    expect(names("update")).toEqual([
      "resources,r", "blkio-weight", "cpu-period", "cpu-quota", "cpu-share", "cpu-rt-period", "cpu-rt-runtime",
      "cpuset-cpus", "cpuset-mems", "kernel-memory", "kernel-memory-tcp", "memory", "memory-reservation",
      "memory-swap", "pids-limit", "l3-cache-schema", "mem-bw-schema",
    ]);
    expect(names("kill")).toEqual(["all,a"]);
    expect(names("delete")).toEqual(["force,f"]);
    expect(names("list")).toEqual(["format,f", "quiet,q"]);
    expect(names("ps")).toEqual(["format,f"]);
    expect(names("spec")).toEqual(["bundle,b", "rootless"]);
    expect(names("events")).toEqual(["interval", "stats"]);
    for (const c of ["start", "state", "pause", "resume", "features"] as const) expect(names(c)).toEqual([]);
    expect(COMMANDS.exec.skipArgReorder && COMMANDS.ps.skipArgReorder).toBe(true);
    expect(COMMAND_NAMES.filter((c) => COMMANDS[c].skipArgReorder)).toEqual(["exec", "ps"]);
  });

  it("prints the argument text of the help as runc does: its lines after the first flush left", () => {
    expect(commandHelp("kill")).toContain(
      '<container-id> [signal]\n\nWhere "<container-id>" is the name for the instance of the container and\n"[signal]" is the signal to be sent to the init process.\n',
    );
    // (An example's command line, "       # runts ...", is indented as in runc.)
    for (const c of COMMAND_NAMES) {
      for (const line of COMMANDS[c].argsUsage.split("\n").slice(1)) {
        if (!line.trimStart().startsWith("# ")) expect(line, c).toBe(line.trimStart());
      }
    }
  });
});

describe("Go value parsing", () => {
  it("ParseInt base 0", () => {
    const ok = (s: string): bigint | string => {
      const r = parseGoInt(s);
      return r.ok ? r.value : r.error;
    };
    expect(ok("10")).toBe(10n);
    expect(ok("-10")).toBe(-10n);
    expect(ok("+7")).toBe(7n);
    expect(ok("0x1F")).toBe(31n);
    expect(ok("0o17")).toBe(15n);
    expect(ok("017")).toBe(15n);
    expect(ok("0b101")).toBe(5n);
    expect(ok("1_000")).toBe(1000n);
    expect(ok("0")).toBe(0n);
    expect(ok("_1")).toBe("invalid syntax");
    expect(ok("1__0")).toBe("invalid syntax");
    expect(ok("08")).toBe("invalid syntax");
    expect(ok("0x")).toBe("invalid syntax");
    expect(ok("")).toBe("invalid syntax");
    expect(ok("9223372036854775807")).toBe(9223372036854775807n);
    expect(ok("-9223372036854775808")).toBe(-9223372036854775808n);
    expect(ok("9223372036854775808")).toBe("value out of range");
  });

  it("ParseDuration", () => {
    expect(parseGoDuration("5s")).toBe(5_000_000_000n);
    expect(parseGoDuration("1h2m3s")).toBe(3_723_000_000_000n);
    expect(parseGoDuration("1.5ms")).toBe(1_500_000n);
    expect(parseGoDuration("300us")).toBe(300_000n);
    expect(parseGoDuration("300\u00b5s")).toBe(300_000n);
    expect(parseGoDuration("0")).toBe(0n);
    expect(parseGoDuration("-2s")).toBe(-2_000_000_000n);
    expect(parseGoDuration("5")).toBeUndefined();
    expect(parseGoDuration("")).toBeUndefined();
    expect(parseGoDuration("s")).toBeUndefined();
    expect(parseGoDuration("1d")).toBeUndefined();
    expect(parseGoDuration(".s")).toBeUndefined();
  });

  it("parseSignal like runc (numbers, names with/without SIG, any case)", () => {
    expect(parseSignal("9")).toBe(9);
    expect(parseSignal("KILL")).toBe(9);
    expect(parseSignal("sigterm")).toBe(15);
    expect(parseSignal("SIGUSR1")).toBe(10);
    expect(parseSignal("hup")).toBe(1);
    expect(() => parseSignal("NOTASIG")).toThrow('unknown signal "NOTASIG"');
    // x/sys/unix knows no aliases (observed: runc kill x IOT -> unknown signal "IOT")
    expect(() => parseSignal("IOT")).toThrow('unknown signal "IOT"');
    expect(() => parseSignal("POLL")).toThrow('unknown signal "POLL"');
  });

  it("every signal name parses to this host's number for it (os.constants.signals)", () => {
    const signals = osConstants.signals as Record<string, number>;
    expect(SIGNAL_NAMES).toHaveLength(31);
    for (const name of SIGNAL_NAMES) expect(parseSignal(name), name).toBe(signals[name]);
  });
});
