/**
 * Command-line parsing that behaves like runc 1.1: urfave/cli v1.22.1 on top
 * of Go's `flag` package. Engines (containerd's go-runc, Podman's conmon,
 * Docker) build argument vectors for runc; runts must read them the same way.
 *
 * What that means in practice:
 * - Global flags come before the command; after the command they are unknown.
 * - A flag is `-name` or `--name` (one or two dashes, any name, long or short),
 *   with its value as `=value` or as the next argument. Bool flags never take
 *   the next argument, only `=true|false`. `--` ends the flags.
 * - urfave/cli "reorders" a command's arguments (except for exec and ps):
 *   every argument starting with `-` moves to the front, together with the
 *   argument right after it when that one does not start with `-` (the
 *   reorderer does not know which flags are bool). So `kill ID --all` sets
 *   --all, and `kill ID --all KILL` signals container "KILL" -- as runc does.
 * - Errors carry runc's wording, and what runc prints on stdout alongside
 *   ("Incorrect Usage..." plus help) rides on UsageError.stdout.
 */
import { resolve as resolvePath } from "node:path";
import { RuntsError } from "../errors.js";
import { DEFAULT_ROOT, type IdArgs, containerId } from "./engine-args.js";
import { goQuote } from "./quote.js";
import { bundleOf, expect, flagBool, flagInt, flagList, flagString, optionals } from "./flags.js";
import { signalNumber } from "../signals.js";
import {
  GLOBAL_FLAGS,
  HELP_FLAG,
  appHelp,
  commandHelp,
  commandSpec,
  type CommandName,
  type CommandSpec,
  type FlagSpec,
} from "./commands.js";

// ---------------------------------------------------------------------------
// public types

export type LogFormat = "text" | "json";
export type FlagValue = string | boolean | string[];

export interface GlobalOptions {
  /** State directory, made absolute (runc: reviseRootDir). Default /run/runts, or $XDG_RUNTIME_DIR/runts when not root. */
  root: string;
  /** Log file path as given; "" means stderr. */
  log: string;
  logFormat: LogFormat;
  debug: boolean;
  systemdCgroup: boolean;
  /** --rootless: true, false or "auto" (the default). */
  rootless: boolean | "auto";
  /** --criu: accepted for compatibility, unused. */
  criu: string;
  /** Canonical names of the global flags given explicitly (urfave's IsSet). */
  set: ReadonlySet<string>;
}

/**
 * "help": print help and exit 0 -- positionals[0], if present, is the command
 * whose help to print, otherwise the application help.
 * "version": print the version and exit 0.
 */
export type ParsedCommand = CommandName | "help" | "version";

export interface ParsedCommandLine {
  global: GlobalOptions;
  command: ParsedCommand;
  /**
   * Every flag of the command under its canonical long name, defaults filled
   * in: bool -> boolean, string/int/duration -> string (ints normalised to
   * decimal), stringSlice/int64Slice -> string[].
   */
  flags: Record<string, FlagValue>;
  positionals: string[];
  /** Canonical names of the command flags given explicitly (urfave's IsSet). */
  set: ReadonlySet<string>;
  /** The directory relative paths were resolved against (ParseOptions.cwd). */
  cwd: string;
}

export interface ParseOptions {
  /** Name used in messages like `runts: "state" requires exactly 1 argument(s)`. */
  program?: string;
  /** Directory relative --root and --bundle are resolved against. Default process.cwd(). */
  cwd?: string;
  /** Environment (for XDG_RUNTIME_DIR). Default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Effective uid (XDG_RUNTIME_DIR is honoured when not 0). Default process.geteuid(). */
  euid?: number;
  /** Version text for the application help. */
  version?: string;
}

/**
 * A command-line mistake. `stdout` is what runc prints on stdout for it
 * ("Incorrect Usage..." and the help text), "" when runc prints nothing there;
 * the message itself goes to stderr / the log like any other error. Exit code
 * 1, or 3 for an unknown command ("No help topic for 'foo'").
 *
 * `global` is set when the global flags were valid (runc has configured its
 * logger by then: with --log the message goes to the log file in
 * --log-format and, plainly, to stderr); undefined for errors in the global
 * flags themselves (runc then logs a text line to stderr).
 */
export class UsageError extends RuntsError {
  readonly stdout: string;
  readonly global: GlobalOptions | undefined;
  constructor(message: string, stdout: string, exitCode = 1, global?: GlobalOptions) {
    super(message, {}, exitCode);
    this.name = "UsageError";
    this.stdout = stdout;
    this.global = global;
  }
}


// ---------------------------------------------------------------------------
// Go-compatible value parsing


/** Go strconv.ParseBool. */
export function parseGoBool(s: string): boolean | undefined {
  if (["1", "t", "T", "TRUE", "true", "True"].includes(s)) return true;
  if (["0", "f", "F", "FALSE", "false", "False"].includes(s)) return false;
  return undefined;
}

function underscoreOK(s: string): boolean {
  let saw = "^";
  let i = 0;
  if (s.length >= 1 && (s[0] === "-" || s[0] === "+")) s = s.slice(1);
  let hex = false;
  const p = s[1]?.toLowerCase();
  if (s.length >= 2 && s[0] === "0" && (p === "b" || p === "o" || p === "x")) {
    i = 2;
    saw = "0";
    hex = p === "x";
  }
  for (; i < s.length; i++) {
    const c = s[i] ?? "";
    const lc = c.toLowerCase();
    if ((c >= "0" && c <= "9") || (hex && lc >= "a" && lc <= "f")) {
      saw = "0";
      continue;
    }
    if (c === "_") {
      if (saw !== "0") return false;
      saw = "_";
      continue;
    }
    if (saw === "_") return false;
    saw = "!";
  }
  return saw !== "_";
}

export type GoIntResult = { ok: true; value: bigint } | { ok: false; error: "invalid syntax" | "value out of range" };

/** Go strconv.ParseInt(s, 0, 64): sign, 0b/0o/0x/0 prefixes, underscores. */
export function parseGoInt(s0: string): GoIntResult {
  const MAX = (1n << 63n) - 1n;
  let s = s0;
  if (s === "") return { ok: false, error: "invalid syntax" };
  let neg = false;
  if (s[0] === "+" || s[0] === "-") {
    neg = s[0] === "-";
    s = s.slice(1);
    if (s === "") return { ok: false, error: "invalid syntax" };
  }
  let base = 10n;
  if (s[0] === "0") {
    const p = s[1]?.toLowerCase();
    if (s.length >= 3 && p === "b") [base, s] = [2n, s.slice(2)];
    else if (s.length >= 3 && p === "o") [base, s] = [8n, s.slice(2)];
    else if (s.length >= 3 && p === "x") [base, s] = [16n, s.slice(2)];
    else [base, s] = [8n, s.slice(1)];
  }
  let n = 0n;
  let underscores = false;
  const limit = neg ? MAX + 1n : MAX;
  for (const c of s) {
    if (c === "_") {
      underscores = true;
      continue;
    }
    const lc = c.toLowerCase();
    let d: bigint;
    if (c >= "0" && c <= "9") d = BigInt(c.charCodeAt(0) - 48);
    else if (lc >= "a" && lc <= "z") d = BigInt(lc.charCodeAt(0) - 87);
    else return { ok: false, error: "invalid syntax" };
    if (d >= base) return { ok: false, error: "invalid syntax" };
    n = n * base + d;
    if (n > (1n << 64n) - 1n) return { ok: false, error: "value out of range" };
  }
  if (underscores && !underscoreOK(s0)) return { ok: false, error: "invalid syntax" };
  if (n > limit) return { ok: false, error: "value out of range" };
  return { ok: true, value: neg ? -n : n };
}

const DURATION_UNITS: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1000n,
  "\u00b5s": 1000n,
  "\u03bcs": 1000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

/** Go time.ParseDuration, in nanoseconds; undefined when Go would fail. */
export function parseGoDuration(orig: string): bigint | undefined {
  let s = orig;
  let neg = false;
  if (s !== "" && (s[0] === "-" || s[0] === "+")) {
    neg = s[0] === "-";
    s = s.slice(1);
  }
  if (s === "0") return 0n;
  if (s === "") return undefined;
  const LIMIT = 1n << 63n;
  let total = 0n;
  while (s !== "") {
    const m = /^([0-9]*)(?:\.([0-9]*))?/.exec(s);
    const intPart = m?.[1] ?? "";
    const fracPart = m?.[2];
    const pre = intPart !== "";
    const post = fracPart !== undefined && fracPart !== "";
    if (!pre && !post) return undefined;
    s = s.slice((m?.[0] ?? "").length);
    const um = /^[^0-9.]+/.exec(s);
    if (!um) return undefined;
    const unit = DURATION_UNITS[um[0]];
    if (unit === undefined) return undefined;
    s = s.slice(um[0].length);
    const v = pre ? BigInt(intPart) : 0n;
    if (v > LIMIT / unit) return undefined;
    let part = v * unit;
    if (post && fracPart !== undefined) {
      // Go truncates the fraction the same way: f * unit / scale, in float.
      const f = Number(`0.${fracPart}`) * Number(unit);
      part += BigInt(Math.trunc(f));
    }
    total += part;
    if (total > LIMIT) return undefined;
  }
  if (!neg && total > LIMIT - 1n) return undefined;
  return neg ? -total : total;
}

/**
 * runc's parseSignal: a number, or a name with or without "SIG" in any case.
 * Throws RuntsError `unknown signal "X"`.
 */
export function parseSignal(raw: string): number {
  if (/^[+-]?[0-9]+$/.test(raw)) {
    const n = Number(raw);
    if (Number.isSafeInteger(n)) return n;
  }
  let name = raw.toUpperCase();
  if (!name.startsWith("SIG")) name = "SIG" + name;
  const num = signalNumber(name);
  if (num === undefined) throw new RuntsError(`unknown signal ${goQuote(raw)}`);
  return num;
}


// ---------------------------------------------------------------------------
// Go flag.FlagSet.Parse + urfave/cli normalizeFlags

interface FlagSetResult {
  values: Map<string, FlagValue>;
  /** Names (as typed, i.e. aliases distinct) that were set, in order. */
  visited: Set<string>;
  /** Arguments left after flag parsing stopped. */
  rest: string[];
  error?: string;
}

function defaultValue(f: FlagSpec): FlagValue {
  return Array.isArray(f.default) ? [...(f.default as readonly string[])] : (f.default as string | boolean);
}

function parseFlagSet(defs: readonly FlagSpec[], args: readonly string[]): FlagSetResult {
  const byName = new Map<string, FlagSpec>();
  for (const f of defs) for (const n of [f.name, ...f.aliases]) byName.set(n, f);
  const values = new Map<string, FlagValue>();
  for (const f of defs) values.set(f.name, defaultValue(f));
  const visited = new Set<string>();
  const done = (i: number, error?: string): FlagSetResult =>
    error === undefined ? { values, visited, rest: args.slice(i) } : { values, visited, rest: args.slice(i), error };

  let i = 0;
  while (i < args.length) {
    const s = args[i] ?? "";
    if (s.length < 2 || s[0] !== "-") return done(i);
    let minuses = 1;
    if (s[1] === "-") {
      minuses = 2;
      if (s.length === 2) return done(i + 1);
    }
    let name = s.slice(minuses);
    if (name.length === 0 || name[0] === "-" || name[0] === "=") return done(i, `bad flag syntax: ${s}`);
    i++;
    let hasValue = false;
    let value = "";
    const eq = name.indexOf("=", 1);
    if (eq > 0) {
      value = name.slice(eq + 1);
      hasValue = true;
      name = name.slice(0, eq);
    }
    const def = byName.get(name);
    if (!def) return done(i, `flag provided but not defined: -${name}`);
    if (def.kind === "bool") {
      if (hasValue) {
        const b = parseGoBool(value);
        if (b === undefined) return done(i, `invalid boolean value ${goQuote(value)} for -${name}: parse error`);
        values.set(def.name, b);
      } else {
        values.set(def.name, true);
      }
    } else {
      if (!hasValue && i < args.length) {
        value = args[i] ?? "";
        hasValue = true;
        i++;
      }
      if (!hasValue) return done(i, `flag needs an argument: -${name}`);
      const bad = (why: string): FlagSetResult => done(i, `invalid value ${goQuote(value)} for flag -${name}: ${why}`);
      switch (def.kind) {
        case "string":
        case "duration":
          if (def.kind === "duration" && parseGoDuration(value) === undefined) return bad("parse error");
          values.set(def.name, value);
          break;
        case "int": {
          const r = parseGoInt(value);
          if (!r.ok) return bad(r.error === "invalid syntax" ? "parse error" : r.error);
          values.set(def.name, r.value.toString());
          break;
        }
        case "int64Slice": {
          const r = parseGoInt(value);
          if (!r.ok) return bad(`strconv.ParseInt: parsing ${goQuote(value)}: ${r.error}`);
          values.set(def.name, [...(values.get(def.name) as string[]), r.value.toString()]);
          break;
        }
        case "stringSlice":
          values.set(def.name, [...(values.get(def.name) as string[]), value]);
          break;
      }
    }
    visited.add(name);
  }
  return done(i);
}

/** urfave/cli normalizeFlags: using two names of one flag is an error. */
function normalizeError(defs: readonly FlagSpec[], visited: ReadonlySet<string>): string | undefined {
  for (const f of defs) {
    const names = [f.name, ...f.aliases];
    if (names.length === 1) continue;
    let first: string | undefined;
    for (const n of names) {
      if (!visited.has(n)) continue;
      if (first !== undefined) return `Cannot use two forms of the same flag: ${n} ${first}`;
      first = n;
    }
  }
  return undefined;
}

function canonicalSet(defs: readonly FlagSpec[], visited: ReadonlySet<string>): Set<string> {
  // Plain loops: every process parses its arguments once, cold, and JavaScriptCore
  // compiles each array builtin (some, map, ...) from source on its first use.
  const out = new Set<string>();
  for (const f of defs) {
    if (visited.has(f.name)) out.add(f.name);
    else for (const a of f.aliases) if (visited.has(a)) out.add(f.name);
  }
  return out;
}

/** urfave/cli v1.22.1 reorderArgs, verbatim. */
export function reorderArgs(args: readonly string[]): string[] {
  const flags: string[] = [];
  const nonflags: string[] = [];
  let readFlagValue = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    if (arg === "--") {
      nonflags.push(...args.slice(i));
      break;
    }
    if (readFlagValue && !arg.startsWith("-")) {
      readFlagValue = false;
      flags.push(arg);
      continue;
    }
    readFlagValue = false;
    if (arg !== "-" && arg.startsWith("-")) {
      flags.push(arg);
      readFlagValue = !arg.includes("=");
    } else {
      nonflags.push(arg);
    }
  }
  return [...flags, ...nonflags];
}

// ---------------------------------------------------------------------------
// the parser

function checkArgCount(spec: CommandSpec, n: number, program: string): string | undefined {
  const a = spec.args;
  const q = `${program}: "${spec.name}"`;
  if ("exact" in a) return n !== a.exact ? `${q} requires exactly ${a.exact} argument(s)` : undefined;
  if (n < a.min) return `${q} requires a minimum of ${a.min} argument(s)`;
  if (a.max !== undefined && n > a.max) return `${q} requires a maximum of ${a.max} argument(s)`;
  return undefined;
}

function defaultRoot(opts: ParseOptions): string {
  const env = opts.env ?? process.env;
  const euid = opts.euid ?? process.geteuid?.() ?? 0;
  const xdg = env["XDG_RUNTIME_DIR"];
  // runc also honours XDG_RUNTIME_DIR for root inside a user namespace when
  // $USER is not root; runts does that only for a non-zero euid.
  if (euid !== 0 && xdg) return `${xdg}/runts`;
  return DEFAULT_ROOT;
}

/**
 * Parse argv (without node and script, i.e. process.argv.slice(2)) the way
 * runc 1.1 does. Throws UsageError (a RuntsError) for command-line mistakes,
 * including an invalid --rootless value.
 */
export function parseArgs(argv: readonly string[], opts: ParseOptions = {}): ParsedCommandLine {
  const program = opts.program ?? "runts";
  const cwd = opts.cwd ?? process.cwd();
  // Only usage errors print the help text: build it then, not on every call.
  const help = { toString: () => appHelp(program, opts.version) };

  // App.Run: global flags, then normalizeFlags, then the parse error.
  const g = parseFlagSet(GLOBAL_FLAGS, argv);
  const gNorm = normalizeError(GLOBAL_FLAGS, g.visited);
  if (gNorm !== undefined) throw new UsageError(gNorm, `${gNorm}\n${help}`);
  if (g.error !== undefined) throw new UsageError(g.error, `Incorrect Usage. ${g.error}\n\n${help}`);

  const gv = g.values;
  const str = (m: Map<string, FlagValue>, k: string): string => {
    const v = m.get(k);
    return typeof v === "string" ? v : "";
  };
  const gSet = canonicalSet(GLOBAL_FLAGS, g.visited);
  const rootRaw = gSet.has("root") ? str(gv, "root") : defaultRoot(opts);

  // --rootless: runc parses it lazily (only commands that need it fail on a
  // bad value); runts rejects it for every command, after the usage checks.
  const rootlessRaw = str(gv, "rootless");
  let rootless: boolean | "auto" = "auto";
  let rootlessError: string | undefined;
  if (rootlessRaw !== "" && rootlessRaw.toLowerCase() !== "auto") {
    const b = parseGoBool(rootlessRaw);
    if (b === undefined) rootlessError = `strconv.ParseBool: parsing ${goQuote(rootlessRaw)}: invalid syntax`;
    else rootless = b;
  }

  const logFormat = str(gv, "log-format");
  const global = (lf: LogFormat): GlobalOptions => ({
    root: rootRaw === "" ? "" : resolvePath(cwd, rootRaw),
    log: str(gv, "log"),
    logFormat: lf,
    debug: gv.get("debug") === true,
    systemdCgroup: gv.get("systemd-cgroup") === true,
    rootless,
    criu: str(gv, "criu"),
    set: gSet,
  });
  const result = (
    lf: LogFormat,
    command: ParsedCommand,
    positionals: string[],
    flags: Record<string, FlagValue> = {},
    set: ReadonlySet<string> = new Set(),
  ): ParsedCommandLine => ({ global: global(lf), command, flags, positionals, set, cwd });

  if (gv.get("help") === true) return result("text", "help", []);
  if (gv.get("version") === true) return result("text", "version", []);

  // App.Before: configLogrus.
  if (logFormat !== "" && logFormat !== "text" && logFormat !== "json") {
    const msg = `invalid log-format: ${logFormat}`;
    throw new UsageError(msg, `${msg}\n\n${help}`);
  }
  const lf: LogFormat = logFormat === "json" ? "json" : "text";
  const fail = (msg: string, stdout: string, exitCode = 1): UsageError => new UsageError(msg, stdout, exitCode, global(lf));

  const name = g.rest[0];
  if (name === undefined) return result(lf, "help", []);
  if (name === "help" || name === "h") {
    const topic = g.rest[1];
    if (topic !== undefined && !commandSpec(topic) && topic !== "help" && topic !== "h") {
      throw fail(`No help topic for '${topic}'`, "", 3);
    }
    return result(lf, "help", topic !== undefined && commandSpec(topic) ? [topic] : []);
  }
  const spec = commandSpec(name);
  if (!spec) throw fail(`No help topic for '${name}'`, "", 3);

  // Command.Run: reorder, parse, normalize, --help, then checkArgs in the action.
  const cmdHelp = { toString: () => commandHelp(spec.name, program) };
  const defs = [...spec.flags, HELP_FLAG];
  const rawArgs = g.rest.slice(1);
  const c = parseFlagSet(defs, spec.skipArgReorder ? rawArgs : reorderArgs(rawArgs));
  const cErr = c.error ?? normalizeError(defs, c.visited);
  if (cErr !== undefined) throw fail(cErr, `Incorrect Usage: ${cErr}\n\n${cmdHelp}`);
  if (c.values.get("help") === true) return result(lf, "help", [spec.name]);

  const argErr = checkArgCount(spec, c.rest.length, program);
  if (argErr !== undefined) throw fail(argErr, `Incorrect Usage.\n\n${cmdHelp}`);
  if (rootlessError !== undefined) throw fail(rootlessError, "");

  c.values.delete("help");
  const set = canonicalSet(spec.flags, c.visited);
  const flags: Record<string, FlagValue> = {};
  for (const [name, value] of c.values) flags[name] = value;
  return result(lf, spec.name, c.rest, flags, set);
}

// ---------------------------------------------------------------------------
// typed accessors

export interface KillArgs extends IdArgs {
  /** The signal argument as given; "SIGTERM" when absent. Use parseSignal(). */
  signal: string;
  all: boolean;
}

export interface DeleteArgs extends IdArgs {
  force: boolean;
}

export interface ListArgs {
  /** As given ("table" default); validate with parseOutputFormat when it matters (runc ignores it with -q). */
  format: string;
  quiet: boolean;
}

export interface PsArgs extends IdArgs {
  format: string;
  /** Arguments for ps(1); ["-ef"] when none were given. */
  psArgs: string[];
}

export interface SpecArgs {
  /** Absolute bundle path: --bundle resolved against the cwd, or the cwd. */
  bundle: string;
  rootless: boolean;
}

export interface ExecArgs extends IdArgs {
  /** The command to run (positionals after the id); may be empty when --process is given. */
  args: string[];
  consoleSocket?: string;
  /** runc 1.2's --pidfd-socket: receives a pidfd of the (init) process. */
  pidfdSocket?: string;
  cwd?: string;
  env: string[];
  tty: boolean;
  user?: string;
  additionalGids: number[];
  process?: string;
  detach: boolean;
  pidFile?: string;
  processLabel?: string;
  apparmor?: string;
  noNewPrivs: boolean;
  /** Set explicitly? runc only overrides the process.json value when the flag was given. */
  noNewPrivsSet: boolean;
  caps: string[];
  preserveFds: number;
  cgroup: string[];
  ignorePaused: boolean;
}

/** runc update: only the flags that were given are present. */
export interface UpdateArgs extends IdArgs {
  resources?: string;
  blkioWeight?: number;
  cpuPeriod?: string;
  cpuQuota?: string;
  cpuShare?: string;
  cpuRtPeriod?: string;
  cpuRtRuntime?: string;
  cpusetCpus?: string;
  cpusetMems?: string;
  kernelMemory?: string;
  kernelMemoryTcp?: string;
  memory?: string;
  memoryReservation?: string;
  memorySwap?: string;
  pidsLimit?: number;
  l3CacheSchema?: string;
  memBwSchema?: string;
}

export interface EventsArgs extends IdArgs {
  /** --interval in milliseconds (default 5000). */
  intervalMs: number;
  stats: boolean;
}

export function killArgs(p: ParsedCommandLine): KillArgs {
  expect(p, "kill");
  return { id: containerId(p), signal: p.positionals[1] ?? "SIGTERM", all: flagBool(p, "all") };
}

export function deleteArgs(p: ParsedCommandLine): DeleteArgs {
  expect(p, "delete");
  return { id: containerId(p), force: flagBool(p, "force") };
}

export function listArgs(p: ParsedCommandLine): ListArgs {
  expect(p, "list");
  return { format: flagString(p, "format"), quiet: flagBool(p, "quiet") };
}

export function psArgs(p: ParsedCommandLine): PsArgs {
  expect(p, "ps");
  const rest = p.positionals.slice(1);
  return { id: containerId(p), format: flagString(p, "format"), psArgs: rest.length > 0 ? rest : ["-ef"] };
}

export function specArgs(p: ParsedCommandLine, cwd = p.cwd): SpecArgs {
  expect(p, "spec");
  return { bundle: bundleOf(p, cwd), rootless: flagBool(p, "rootless") };
}

export function execArgs(p: ParsedCommandLine): ExecArgs {
  expect(p, "exec");
  return {
    id: containerId(p),
    args: p.positionals.slice(1),
    env: flagList(p, "env"),
    tty: flagBool(p, "tty"),
    additionalGids: flagList(p, "additional-gids").map(Number),
    detach: flagBool(p, "detach"),
    noNewPrivs: flagBool(p, "no-new-privs"),
    noNewPrivsSet: p.set.has("no-new-privs"),
    caps: flagList(p, "cap"),
    preserveFds: flagInt(p, "preserve-fds"),
    cgroup: flagList(p, "cgroup"),
    ignorePaused: flagBool(p, "ignore-paused"),
    ...optionals(p, {
      consoleSocket: "console-socket",
      pidfdSocket: "pidfd-socket",
      cwd: "cwd",
      user: "user",
      process: "process",
      pidFile: "pid-file",
      processLabel: "process-label",
      apparmor: "apparmor",
    }),
  };
}

const UPDATE_STRING_FLAGS = {
  resources: "resources",
  cpuPeriod: "cpu-period",
  cpuQuota: "cpu-quota",
  cpuShare: "cpu-share",
  cpuRtPeriod: "cpu-rt-period",
  cpuRtRuntime: "cpu-rt-runtime",
  cpusetCpus: "cpuset-cpus",
  cpusetMems: "cpuset-mems",
  kernelMemory: "kernel-memory",
  kernelMemoryTcp: "kernel-memory-tcp",
  memory: "memory",
  memoryReservation: "memory-reservation",
  memorySwap: "memory-swap",
  l3CacheSchema: "l3-cache-schema",
  memBwSchema: "mem-bw-schema",
} as const satisfies Partial<Record<keyof UpdateArgs, string>>;

export function updateArgs(p: ParsedCommandLine): UpdateArgs {
  expect(p, "update");
  const out: UpdateArgs = { id: containerId(p) };
  for (const [k, flag] of Object.entries(UPDATE_STRING_FLAGS) as [keyof typeof UPDATE_STRING_FLAGS, string][]) {
    if (p.set.has(flag)) out[k] = flagString(p, flag);
  }
  if (p.set.has("blkio-weight")) out.blkioWeight = flagInt(p, "blkio-weight");
  if (p.set.has("pids-limit")) out.pidsLimit = flagInt(p, "pids-limit");
  return out;
}

export function eventsArgs(p: ParsedCommandLine): EventsArgs {
  expect(p, "events");
  const ns = parseGoDuration(flagString(p, "interval")) ?? 5_000_000_000n;
  return { id: containerId(p), intervalMs: Number(ns / 1_000_000n), stats: flagBool(p, "stats") };
}
