/**
 * What every helper agrees on: which runtime binary to drive, and the names
 * that mark a test run's containers, bundles and state roots on the host.
 *
 * Every name a test run puts on the host contains "runts-test" and the run's
 * token (RUNTS_TEST_RUN, set by global-setup.ts, inherited by the workers), so
 * leak checks and the final sweep touch only this run's leftovers, never those
 * of another run going on at the same time on the same machine.
 */
import { randomBytes } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

/** Integration tests need root; test files use `describe.skipIf(!isRoot)`. */
export const isRoot: boolean = process.getuid?.() === 0;

/** Marker contained in every id and temp path the helpers create. */
export const MARK = "runts-test";

/** The runtime under test: $RUNTS_BIN, default <repo>/dist/runts. */
export function runtimeBin(): string {
  const fromEnv = process.env["RUNTS_BIN"];
  return fromEnv !== undefined && fromEnv !== "" ? fromEnv : path.join(repoRoot, "dist", "runts");
}

export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString("hex");
}

/** This test run's token; created on first use when no global setup ran. */
export function runToken(): string {
  let token = process.env["RUNTS_TEST_RUN"];
  if (token === undefined || token === "") {
    token = randomHex(4);
    process.env["RUNTS_TEST_RUN"] = token;
  }
  return token;
}

/** True when `text` (an id, path, mount or cgroup name) belongs to this run. */
export function isOurs(text: string, token: string = runToken()): boolean {
  return text.includes(MARK) && text.includes(token);
}

/** A fresh container id: runts-test-<run>-<random>. */
export function newContainerId(): string {
  return `${MARK}-${runToken()}-${randomHex(4)}`;
}

/** Prefix for mkdtemp: /tmp/runts-test-<kind>-<run>- (e.g. kind "root", "bundle"). */
export function tmpPrefix(kind: string): string {
  return path.join("/tmp", `${MARK}-${kind}-${runToken()}-`);
}

/** Names of the directories in `dir` (container state dirs under a runtime root); [] when `dir` is missing. */
export function subdirNames(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  } catch {
    return [];
  }
}

/** Is `pid` a live process (not a zombie)? */
export function isAlive(pid: number): boolean {
  try {
    // A zombie still "exists" for kill(0); look at its state.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}
