/**
 * OCI hooks. prestart, createRuntime, poststart and poststop run in the
 * runtime's namespaces, started by runts; createContainer and startContainer
 * run in the container's, started by the container process (plan steps).
 * Every hook gets the container state JSON on stdin.
 */
import type { Hook } from "../spec/schema.js";
import { type Step, step } from "./plan.js";

/** A HOOK step; `state` picks the JSON sent with the ready ack: 0 creating, 1 created. */
export function hookStep(h: Hook, state: 0 | 1): Step {
  const args = h.args?.length ? h.args : [h.path];
  return step("HOOK", state, h.timeout ?? 0, h.path, args.length, ...args, ...(h.env ?? []));
}
