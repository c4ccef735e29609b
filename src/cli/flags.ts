/**
 * Typed access to a parsed command line's flags, and the options of create
 * and run. Apart from args.ts (runc's full parser and its command table) so
 * that create and run, whose usual lines engine-args.ts reads, load neither.
 */
import { resolve as resolvePath } from "node:path";
import { RuntsError } from "../errors.js";
import type { ParsedCommandLine } from "./args.js";
import type { CommandName } from "./commands.js";
import { type IdArgs, containerId } from "./engine-args.js";

export function expect(p: ParsedCommandLine, ...names: CommandName[]): void {
  if (!(names as string[]).includes(p.command)) {
    throw new RuntsError(`internal error: ${names.join("/")} options requested for command ${p.command}`);
  }
}

export function flagString(p: ParsedCommandLine, name: string): string {
  const v = p.flags[name];
  return typeof v === "string" ? v : "";
}
export function flagBool(p: ParsedCommandLine, name: string): boolean {
  return p.flags[name] === true;
}
export function flagList(p: ParsedCommandLine, name: string): string[] {
  const v = p.flags[name];
  return Array.isArray(v) ? [...v] : [];
}
/** An int flag as a number (int flags are validated and stored as decimal strings). */
export function flagInt(p: ParsedCommandLine, name: string): number {
  return Number(flagString(p, name) || "0");
}
/** Optional string options (option name -> flag name): those whose flag is not empty. */
export function optionals<K extends string>(p: ParsedCommandLine, flags: Record<K, string>): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  for (const key of Object.keys(flags) as K[]) {
    const v = flagString(p, flags[key]);
    if (v !== "") out[key] = v;
  }
  return out;
}

export interface CreateArgs extends IdArgs {
  /** Absolute bundle path: --bundle resolved against the cwd, or the cwd. */
  bundle: string;
  /** As given. NB runc chdirs into the bundle first, so a relative path is relative to the bundle. */
  consoleSocket?: string;
  /** runc 1.2's --pidfd-socket: receives a pidfd of the (init) process. */
  pidfdSocket?: string;
  /** As given. NB runc chdirs into the bundle first, so a relative path is relative to the bundle. */
  pidFile?: string;
  noPivot: boolean;
  noNewKeyring: boolean;
  preserveFds: number;
}

export interface RunArgs extends CreateArgs {
  detach: boolean;
  keep: boolean;
  noSubreaper: boolean;
}

export function bundleOf(p: ParsedCommandLine, cwd: string): string {
  const b = flagString(p, "bundle");
  return b === "" ? cwd : resolvePath(cwd, b);
}

export function createArgs(p: ParsedCommandLine, cwd = p.cwd): CreateArgs {
  expect(p, "create", "run");
  return {
    id: containerId(p),
    bundle: bundleOf(p, cwd),
    noPivot: flagBool(p, "no-pivot"),
    noNewKeyring: flagBool(p, "no-new-keyring"),
    preserveFds: flagInt(p, "preserve-fds"),
    ...optionals(p, { consoleSocket: "console-socket", pidfdSocket: "pidfd-socket", pidFile: "pid-file" }),
  };
}

export function runArgs(p: ParsedCommandLine, cwd = p.cwd): RunArgs {
  expect(p, "run");
  return {
    ...createArgs(p, cwd),
    detach: flagBool(p, "detach"),
    keep: flagBool(p, "keep"),
    noSubreaper: flagBool(p, "no-subreaper"),
  };
}
