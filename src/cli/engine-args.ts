/**
 * The argument vectors engines send most often, read without the full
 * parser: global flags, then a command that takes nothing but a container
 * id, or create/run with their flags before the id. containerd's go-runc, for
 * one, calls `runc --root R --log L --log-format json state ID` for every
 * state query and `... create --bundle B --pid-file P ID` for every container.
 *
 * Every start of runts loads what it parses with: the full parser (args.ts)
 * and runc's command table cost a cold `state` about a tenth of its time.
 * parseEngineArgs accepts only lines it reads exactly as parseArgs would
 * (a unit test holds it to that over a corpus) and returns undefined for
 * anything else, which then goes to parseArgs.
 */
import type { GlobalOptions, ParsedCommandLine } from "./args.js";
import { isCleanAbsolute } from "../path-check.js";

export const DEFAULT_ROOT = "/run/runts";

export interface IdArgs {
  id: string;
}

/** The container id of a command that takes one (as urfave/cli: "" when absent). */
export function containerId(p: ParsedCommandLine): string {
  return p.positionals[0] ?? "";
}

/** start, state, pause, resume: the id and nothing else. */
export function idArgs(p: ParsedCommandLine): IdArgs {
  return { id: containerId(p) };
}

/** Commands without flags of their own that take exactly one argument, the id. */
const ID_ONLY = new Set(["state", "start", "pause", "resume"]);

/** A flag's kind: "b" bool, "s" string, "i" int. */
type FlagKind = "b" | "s" | "i";
type FlagKinds = ReadonlyMap<string, FlagKind>;

/** The global flags read here (the others go to parseArgs). */
const GLOBAL_FLAGS: FlagKinds = new Map([
  ["root", "s"],
  ["log", "s"],
  ["log-format", "s"],
  ["debug", "b"],
  ["systemd-cgroup", "b"],
]);
/**
 * create's and run's flags in runc's declaration order (the order parseArgs
 * fills `flags` in): the shapes of cli/commands.ts's, written out here so that
 * these lines load neither it nor its help text (a unit test holds the two
 * to each other).
 */
const CREATE_FLAGS: FlagKinds = new Map([
  ["bundle", "s"],
  ["console-socket", "s"],
  ["pidfd-socket", "s"],
  ["pid-file", "s"],
  ["no-pivot", "b"],
  ["no-new-keyring", "b"],
  ["preserve-fds", "i"],
]);
const RUN_FLAGS: FlagKinds = new Map([
  ["bundle", "s"],
  ["console-socket", "s"],
  ["pidfd-socket", "s"],
  ["detach", "b"],
  ["keep", "b"],
  ["pid-file", "s"],
  ["no-subreaper", "b"],
  ["no-pivot", "b"],
  ["no-new-keyring", "b"],
  ["preserve-fds", "i"],
]);
const COMMAND_ALIASES: Readonly<Record<string, string>> = { b: "bundle", d: "detach" };

/** Global flag names in runc's declaration order: the order parseArgs fills `set` in. */
const GLOBAL_ORDER = ["debug", "log", "log-format", "root", "criu", "systemd-cgroup", "rootless", "help", "version"];

export interface EngineArgsOptions {
  cwd?: string;
  euid?: number;
}

export function parseEngineArgs(argv: readonly string[], opts: EngineArgsOptions = {}): ParsedCommandLine | undefined {
  const globals = readFlags(argv, 0, GLOBAL_FLAGS, {});
  if (!globals) return undefined;
  const values = globals.given;
  const command = argv[globals.end];
  // The id comes last: right after the command, or after create's and run's flags.
  let idAt = globals.end + 1;
  const flags: ParsedCommandLine["flags"] = {};
  const set = new Set<string>();
  if (command === "create" || command === "run") {
    const known = command === "run" ? RUN_FLAGS : CREATE_FLAGS;
    const read = readFlags(argv, idAt, known, COMMAND_ALIASES);
    if (!read) return undefined;
    // Filled in declaration order, as parseArgs fills them.
    for (const [name, kind] of known) {
      const given = read.given.get(name);
      flags[name] = given ?? (kind === "b" ? false : kind === "i" ? "0" : "");
      if (given !== undefined) set.add(name);
    }
    idAt = read.end;
  } else if (command === undefined || !ID_ONLY.has(command)) {
    return undefined;
  }
  const id = argv[idAt];
  if (id === undefined || id.startsWith("-") || idAt !== argv.length - 1) return undefined;
  const logFormat = values.get("log-format") ?? "text";
  if (logFormat !== "text" && logFormat !== "json") return undefined;
  const root = values.get("root");
  if (root === undefined ? (opts.euid ?? process.geteuid?.() ?? 0) !== 0 : typeof root !== "string" || !isCleanAbsolute(root)) {
    return undefined;
  }
  const log = values.get("log");
  const globalSet = new Set<string>();
  for (const n of GLOBAL_ORDER) if (values.has(n)) globalSet.add(n);
  const global: GlobalOptions = {
    root: typeof root === "string" ? root : DEFAULT_ROOT,
    log: typeof log === "string" ? log : "",
    logFormat,
    debug: values.has("debug"),
    systemdCgroup: values.has("systemd-cgroup"),
    rootless: "auto",
    criu: "criu",
    set: globalSet,
  };
  return {
    global,
    command: command as ParsedCommandLine["command"],
    flags,
    positionals: [id],
    set,
    cwd: opts.cwd ?? process.cwd(),
  };
}

/**
 * The flags from argv[start] up to the first argument that is not one: those
 * given, by canonical name in the order given, and where reading stopped.
 * Undefined for anything parseArgs might read otherwise: an unknown or repeated
 * flag, "=" on a bool, an empty value or one starting with "-", an int that is
 * not plain decimal.
 */
function readFlags(
  argv: readonly string[],
  start: number,
  kinds: FlagKinds,
  aliases: Readonly<Record<string, string>>,
): { given: Map<string, string | true>; end: number } | undefined {
  const given = new Map<string, string | true>();
  let i = start;
  for (; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith("-")) break;
    const name0 = arg.startsWith("--") ? arg.slice(2) : arg.slice(1);
    const eq = name0.indexOf("=");
    const written = eq < 0 ? name0 : name0.slice(0, eq);
    const name = aliases[written] ?? written;
    const kind = kinds.get(name);
    if (kind === undefined || given.has(name)) return undefined;
    if (kind === "b") {
      if (eq >= 0) return undefined;
      given.set(name, true);
    } else {
      const value = eq >= 0 ? name0.slice(eq + 1) : argv[++i];
      if (value === undefined || value === "" || value.startsWith("-")) return undefined;
      if (kind === "i" && !/^(0|[1-9][0-9]{0,8})$/.test(value)) return undefined;
      given.set(name, value);
    }
  }
  return { given, end: i };
}
