/**
 * Evaluated before the rest of runts (main.ts imports it first): for the
 * commands that move a process into a cgroup, the kernel's grace period for
 * that starts now, while runts loads (see cgroups/warmup.ts). A look at argv
 * is enough: a wrong guess (a container named "run", say) costs one no-op
 * migration of this process.
 */
import { warmCgroupMigration } from "../cgroups/warmup.js";

const words = process.argv.slice(2);
if (words.includes("create") || words.includes("run") || words.includes("exec")) {
  warmCgroupMigration().catch(() => undefined);
}
