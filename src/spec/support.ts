/**
 * Fields that validate but that runts cannot honour yet (or that this host
 * lacks) are refused here, before anything is created: a runtime that
 * silently drops a security setting is worse than one that says no.
 */
import { RuntsError } from "../errors.js";
import type { Spec } from "./schema.js";

function refuse(field: string, why = "is not supported by runts yet"): never {
  throw new RuntsError(`config.json: ${field}: ${why}`);
}

/** A value counts as set when it is not absent, empty, zero or false (engines send zeros for "unset"). */
export function isSet(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === "") return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === "object") return Object.values(v as Record<string, unknown>).some(isSet);
  return true;
}

export function assertSupported(spec: Spec): void {
  const l = spec.linux;
  if (l) {
    if (isSet(l.seccomp)) refuse("linux.seccomp");
    if (isSet(l.intelRdt)) refuse("linux.intelRdt");
  }
}
