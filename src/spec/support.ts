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
  const p = spec.process;
  if (p) {
    if (p.apparmorProfile) refuse("process.apparmorProfile", "AppArmor is not enabled on this host");
    if (p.selinuxLabel) refuse("process.selinuxLabel", "SELinux is not enabled on this host");
    if (isSet(p.scheduler)) refuse("process.scheduler");
    if (isSet(p.ioPriority)) refuse("process.ioPriority");
    if (isSet(p.execCPUAffinity)) refuse("process.execCPUAffinity");
  }
  const l = spec.linux;
  if (l) {
    if (l.mountLabel) refuse("linux.mountLabel", "SELinux is not enabled on this host");
    if (isSet(l.seccomp)) refuse("linux.seccomp");
    if (isSet(l.intelRdt)) refuse("linux.intelRdt");
    if (isSet(l.personality)) refuse("linux.personality");
    if (isSet(l.sysctl)) refuse("linux.sysctl");
  }
  const hooks = spec.hooks;
  if (hooks) {
    for (const [name, list] of Object.entries(hooks)) {
      if (Array.isArray(list) && list.length > 0) refuse(`hooks.${name}`);
    }
  }
}
