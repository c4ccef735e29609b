/**
 * runts entry point: parse runc's command line, then load only the module of
 * the command asked for. Errors end as one line: on stderr, and in --log.
 */
import "./prelude.js";
import { errorLine } from "../errors.js";
import { mark, reportMarks } from "../timing.js";
import type { ParsedCommandLine } from "./args.js";
import { parseEngineArgs } from "./engine-args.js";
import { configureLog, log } from "../log.js";
import { stdout, stderr } from "../output.js";
// The one command loaded with the entry: engines call `state` most (containerd
// on every status query), and its few modules (container/status.ts,
// cli/state-json.ts) are what start, kill and delete load anyway. Measured:
// a `state` 0.1M instructions and ~20 page faults less; `--version` 0.16M more.
import * as stateCommand from "../commands/state.js";

export type CommandModule = { run(cmd: ParsedCommandLine): Promise<number> };

/** Each command's module, imported on demand so a command pays only for itself (but see above). */
const COMMAND_MODULES: Record<string, () => Promise<CommandModule>> = {
  create: () => import("../commands/create.js"),
  start: () => import("../commands/start.js"),
  run: () => import("../commands/run.js"),
  state: async () => stateCommand,
  kill: () => import("../commands/kill.js"),
  delete: () => import("../commands/delete.js"),
  list: () => import("../commands/list.js"),
  ps: () => import("../commands/ps.js"),
  spec: () => import("../commands/spec.js"),
  features: () => import("../commands/features.js"),
  exec: () => import("../commands/exec.js"),
  pause: () => import("../commands/pause.js"),
  resume: () => import("../commands/resume.js"),
  update: () => import("../commands/update.js"),
  events: () => import("../commands/events.js"),
};

async function main(argv: string[]): Promise<number> {
  mark("main");
  // `runts --version` alone, as engines ask it (go-runc's Version, docker info): no parser.
  if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-v")) return printVersion();
  // The usual engine call needs no more; anything else goes to runc's parser.
  let cmd: ParsedCommandLine | undefined = parseEngineArgs(argv);
  if (!cmd) {
    const { UsageError, parseArgs } = await import("./args.js");
    try {
      cmd = parseArgs(argv);
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      if (err.stdout) stdout(err.stdout.endsWith("\n") ? err.stdout : `${err.stdout}\n`);
      if (err.global) {
        // The global flags were fine: report through the configured log, as runc does.
        configureLog(err.global);
        await log("error", err.message);
        if (err.global.log) stderr(`${err.message}\n`);
      } else {
        stderr(`${err.message}\n`);
      }
      return err.exitCode;
    }
  }
  configureLog(cmd.global);
  mark("arguments parsed");
  try {
    if (cmd.command === "version") return await printVersion();
    if (cmd.command === "help") {
      const { appHelp, commandHelp, isCommandName } = await import("./commands.js");
      const topic = cmd.positionals[0];
      stdout(topic && isCommandName(topic) ? commandHelp(topic) : appHelp());
      return 0;
    }
    const load = COMMAND_MODULES[cmd.command];
    if (!load) {
      const msg = `runts: "${cmd.command}" is not implemented yet`;
      await log("error", msg);
      if (cmd.global.log) stderr(`${msg}\n`);
      return 1;
    }
    return await (await load()).run(cmd);
  } catch (err) {
    const line = errorLine(err);
    await log("error", line);
    // runc: with --log the plain message also goes to stderr; without, the log line is stderr.
    if (cmd.global.log) stderr(`${line}\n`);
    const code = (err as { exitCode?: unknown }).exitCode;
    return typeof code === "number" ? code : 1;
  }
}

async function printVersion(): Promise<number> {
  const { VERSION_TEXT } = await import("../version.js");
  stdout(`runts version ${VERSION_TEXT}\n`);
  return 0;
}

/**
 * Exit as soon as the command is done: output and logs are written
 * synchronously, and letting the event loop wind down costs ~0.4 ms.
 */
function exitNow(code: number): never {
  process.exit(code);
}

main(process.argv.slice(2)).then(
  (code) => {
    mark("done");
    reportMarks();
    exitNow(code);
  },
  (err: unknown) => {
    stderr(`runts: ${errorLine(err)}\n`);
    exitNow(1);
  },
);
