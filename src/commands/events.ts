/**
 * runts events [--stats] [--interval D] ID: the container's usage as runc's
 * JSON events, one per line: once with --stats, else every interval
 * (default 5s) with OOM events in between, until the container is deleted.
 */
import { eventsArgs, type ParsedCommandLine } from "../cli/args.js";
import { containerStats, streamEvents } from "../container/events.js";
import { StateDir } from "../container/state.js";
import { RuntsError, errorLine } from "../errors.js";
import { stdout } from "../output.js";

export async function run(cmd: ParsedCommandLine): Promise<number> {
  const a = eventsArgs(cmd);
  if (a.intervalMs <= 0) throw new RuntsError("duration interval must be greater than 0");
  const dir = new StateDir(cmd.global.root, a.id);
  if (a.stats) {
    containerStats(dir, stdout);
    return 0;
  }
  const { log } = await import("../log.js");
  await streamEvents(dir, a.intervalMs, stdout, (err) => void log("error", errorLine(err)));
  return 0;
}
