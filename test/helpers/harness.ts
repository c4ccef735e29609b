/**
 * One call per describe block gives each test a fresh Runtime, bundles that
 * are removed afterwards, and a leak check — all run in afterEach, so they
 * happen when the test fails too:
 *
 *   describe.skipIf(!isRoot)("start", () => {
 *     const env = useRuntimeEnv();
 *     test("runs", async () => {
 *       const b = await env.bundle({ args: ["true"] });
 *       expect((await env.rt.run(b)).code).toBe(0);
 *     });
 *   });
 */
import { afterEach, beforeEach } from "vitest";
import { makeBundle, type Bundle, type MakeBundleOptions } from "./bundle.js";
import { assertNoLeaks, diffLeaks, isEmpty, snapshotLeaks, sweepLeaks, type LeakSnapshot } from "./leaks.js";
import { Runtime } from "./runtime.js";

export interface RuntimeEnv {
  /** This test's Runtime (valid inside a test). */
  readonly rt: Runtime;
  /** makeBundle, removed after the test. */
  bundle(opts?: MakeBundleOptions): Promise<Bundle>;
}

export interface RuntimeEnvOptions {
  /** Check for leaks after each test (default true). */
  checkLeaks?: boolean;
}

export function useRuntimeEnv(opts: RuntimeEnvOptions = {}): RuntimeEnv {
  let current: Runtime | undefined;
  let bundles: Bundle[] = [];
  let before: LeakSnapshot | undefined;

  beforeEach(() => {
    before = opts.checkLeaks === false ? undefined : snapshotLeaks();
    current = new Runtime();
    bundles = [];
  });

  afterEach(async () => {
    const problems: string[] = [];
    try {
      await current?.cleanupAll();
    } catch (err) {
      problems.push(err instanceof Error ? err.message : String(err));
    }
    for (const b of bundles) {
      await b.cleanup().catch((err: unknown) => problems.push(`bundle cleanup: ${String(err)}`));
    }
    if (before !== undefined) {
      try {
        assertNoLeaks(before);
      } catch (err) {
        problems.push(err instanceof Error ? err.message : String(err));
        // Remove them now so that the next test starts clean; the failure stays.
        const leaks = diffLeaks(before, snapshotLeaks());
        if (!isEmpty(leaks)) sweepLeaks({ ...leaks, fds: [] });
      }
    }
    current = undefined;
    if (problems.length > 0) throw new Error(problems.join("\n\n"));
  });

  return {
    get rt(): Runtime {
      if (current === undefined) throw new Error("useRuntimeEnv: rt is only available inside a test");
      return current;
    },
    async bundle(bundleOpts: MakeBundleOptions = {}): Promise<Bundle> {
      const b = await makeBundle(bundleOpts);
      bundles.push(b);
      return b;
    },
  };
}
