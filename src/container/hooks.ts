/**
 * Hooks that runts runs itself, in the runtime's namespaces: prestart and
 * createRuntime at the ready stage of create, poststart after start,
 * poststop after delete. Each gets the container state JSON on stdin and is
 * killed when its timeout passes.
 */
import { RuntsError } from "../errors.js";
import { log } from "../log.js";
import type { Hook } from "../spec/schema.js";
import { OCI_VERSION } from "../version.js";
import type { SavedState, Status } from "./state.js";

export type RuntimeHookKind = "prestart" | "createRuntime" | "poststart" | "poststop";

/** The state JSON a hook reads on stdin (runtime-spec state, with the status at that point). */
export function hookState(s: Pick<SavedState, "id" | "pid" | "bundle" | "annotations">, status: Status): string {
  return JSON.stringify({
    ociVersion: OCI_VERSION,
    id: s.id,
    status,
    pid: s.pid,
    bundle: s.bundle,
    ...(s.annotations ? { annotations: s.annotations } : {}),
  });
}

async function runHook(kind: RuntimeHookKind, h: Hook, state: string): Promise<void> {
  const { spawnSync } = await import("node:child_process");
  const args = h.args?.length ? h.args : [h.path];
  const r = spawnSync(h.path, args.slice(1), {
    argv0: args[0] ?? h.path,
    env: Object.fromEntries((h.env ?? []).map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)])),
    input: state,
    timeout: h.timeout ? h.timeout * 1000 : undefined,
    killSignal: "SIGKILL",
    encoding: "utf8",
  });
  const output = `${r.stdout ?? ""}${r.stderr ?? ""}`.trim();
  const where = { step: `${kind} hook`, path: h.path };
  if (r.error) {
    const e = r.error as NodeJS.ErrnoException;
    if (e.code === "ETIMEDOUT") throw new RuntsError(`killed after its timeout of ${h.timeout}s`, where);
    throw new RuntsError(e.message, where);
  }
  if (r.signal) throw new RuntsError(`killed by ${r.signal}${output ? `: ${output}` : ""}`, where);
  if (r.status !== 0) throw new RuntsError(`exit status ${r.status}${output ? `: ${output}` : ""}`, where);
}

/** Run hooks in order; the first failure stops them and is thrown (create-time hooks). */
export async function runHooks(kind: RuntimeHookKind, hooks: readonly Hook[] | undefined, state: string): Promise<void> {
  for (const h of hooks ?? []) await runHook(kind, h, state);
}

/** Run every hook even if some fail; failures become warnings (poststart, poststop). */
export async function runHooksLogged(kind: RuntimeHookKind, hooks: readonly Hook[] | undefined, state: string): Promise<void> {
  for (const h of hooks ?? []) {
    try {
      await runHook(kind, h, state);
    } catch (err) {
      await log("warning", err instanceof RuntsError ? err.toLine() : String(err));
    }
  }
}
