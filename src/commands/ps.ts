/** runts ps ID [ps args]: the container's processes (from its cgroup), as ps(1) shows them or as JSON. */
import { psArgs, type ParsedCommandLine } from "../cli/args.js";
import { filterPsOutput, formatPsJson, parseOutputFormat } from "../cli/format.js";
import { cgroupManagerFromState } from "../cgroups/index.js";
import { StateDir } from "../container/state.js";
import { stdout } from "../output.js";

export async function run(cmd: ParsedCommandLine): Promise<number> {
  const a = psArgs(cmd);
  const format = parseOutputFormat(a.format);
  const state = new StateDir(cmd.global.root, a.id).load();
  const pids = cgroupManagerFromState(state.cgroup).pids();
  if (format === "json") {
    stdout(formatPsJson(pids));
    return 0;
  }
  const { execFileSync } = await import("node:child_process");
  const out = execFileSync("ps", a.psArgs, { encoding: "utf8" });
  stdout(filterPsOutput(out, pids));
  return 0;
}
