/**
 * The /proc files cgroup code reads about this process, read once each, and
 * /proc/<pid>/cgroup parsed. A module of its own without node:path: the
 * cgroup warm-up (cli/prelude.ts) uses it before the rest of runts loads.
 */
import { readFileSync } from "node:fs";
import { fromNodeError } from "../errors.js";

/** One line of /proc/<pid>/cgroup. */
export interface ProcCgroupEntry {
  hierarchyId: number;
  /** Sorted controllers; [] for the "0::" cgroup2 line. */
  controllers: string[];
  path: string;
}

/** Parse /proc/<pid>/cgroup. */
export function parseProcCgroup(text: string): ProcCgroupEntry[] {
  const out: ProcCgroupEntry[] = [];
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const a = line.indexOf(":");
    const b = line.indexOf(":", a + 1);
    if (a < 0 || b < 0) continue;
    const controllers = line.slice(a + 1, b);
    out.push({
      hierarchyId: Number(line.slice(0, a)),
      controllers: controllers === "" ? [] : controllers.split(",").sort(),
      path: line.slice(b + 1),
    });
  }
  return out;
}

const procFiles = new Map<string, string>();

/**
 * A /proc/self file (mountinfo, cgroup, status, limits), read once per
 * process and shared by everything that needs it on the create path (cgroup
 * detection, the cgroup warm-up, the planner's host view).
 */
export function readProcFile(path: string): string {
  let text = procFiles.get(path);
  if (text === undefined) {
    try {
      text = readFileSync(path, "utf8");
    } catch (err) {
      throw fromNodeError(err, "read", { path });
    }
    procFiles.set(path, text);
  }
  return text;
}
