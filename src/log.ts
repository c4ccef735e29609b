/**
 * runc-compatible logging: `--log FILE` (appended) in `--log-format text|json`.
 * Engines read the last {"level":"error","msg":...,"time":...} line of the
 * log to learn why a call failed, so the shape matters. pino is loaded only
 * when there is something to write.
 */
import { appendFileSync } from "node:fs";
import type { GlobalOptions } from "./cli/args.js";
import { stderr } from "./output.js";

export type Level = "debug" | "info" | "warning" | "error";

let options: Pick<GlobalOptions, "log" | "logFormat" | "debug"> = { log: "", logFormat: "text", debug: false };

export function configureLog(g: Pick<GlobalOptions, "log" | "logFormat" | "debug">): void {
  options = g;
  // runc opens its log at start: the file exists even when nothing goes wrong.
  if (g.log) appendFileSync(g.log, "", { mode: 0o644 });
}

function rfc3339(d = new Date()): string {
  return d.toISOString().replace(/\.\d+Z$/, "Z");
}

/** logrus' text format: time="..." level=error msg="..." */
function textLine(level: Level, msg: string): string {
  return `time="${rfc3339()}" level=${level} msg=${JSON.stringify(msg)}\n`;
}

async function jsonLine(level: Level, msg: string): Promise<void> {
  const { pino } = await import("pino");
  const dest = pino.destination({ dest: options.log, append: true, sync: true, mkdir: false });
  // logrus sorts keys (level, msg, time): the message and time go in the
  // merged object, and pino's own time and message key stay out of the way.
  const logger = pino(
    {
      base: null,
      messageKey: "message",
      timestamp: false,
      formatters: { level: (label) => ({ level: label === "warn" ? "warning" : label }) },
      level: "debug",
    },
    dest,
  );
  logger[level === "warning" ? "warn" : level]({ msg, time: rfc3339() });
  dest.flushSync();
}

/** Write one log line to --log (or stderr when no log file is set). */
export async function log(level: Level, msg: string): Promise<void> {
  if (level === "debug" && !options.debug) return;
  if (!options.log) {
    stderr(textLine(level, msg));
    return;
  }
  if (options.logFormat === "json") await jsonLine(level, msg);
  else appendFileSync(options.log, textLine(level, msg));
}
