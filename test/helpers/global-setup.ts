/**
 * vitest globalSetup. Runs once per `vitest run`, in the main process; what it
 * puts in process.env is inherited by the test workers.
 *
 * - RUNTS_TEST_RUN: this run's token (see context.ts).
 * - RUNTS_TEST_ROOTFS: a pristine busybox rootfs that bundles copy (root only).
 *
 * Not root: integration tests skip themselves (describe.skipIf(!isRoot)),
 * except under CI=true, where that is an error. At teardown, anything of this
 * run still on the host is reported, force-removed, and fails the run.
 */
import { mkdtempSync, rmSync, rmdirSync } from "node:fs";
import path from "node:path";
import { isRoot, randomHex, runtimeBin, tmpPrefix } from "./context.js";
import { emptyNewParents, formatLeaks, isEmpty, runtsParents, snapshotLeaks, sweepLeaks, type LeakSnapshot } from "./leaks.js";
import { buildRootfs } from "./rootfs.js";

const BANNER = "=".repeat(72);

export default async function setup(): Promise<() => void> {
  const token = randomHex(4);
  process.env["RUNTS_TEST_RUN"] = token;

  if (!isRoot) {
    if (process.env["CI"] === "true") throw new Error("integration tests must run as root under CI");
    console.warn("[runts tests] not root: integration tests will be skipped");
    return () => {};
  }

  const parentsBefore = runtsParents();
  const foreign = snapshotLeaks("");
  const stale: LeakSnapshot = { ...foreign, fds: [] };
  if (!isEmpty(stale)) {
    console.warn(
      `[runts tests] warning: leftovers of another test run (not touched; remove by hand if that run is over):\n${formatLeaks(stale)}`,
    );
  }

  const parent = mkdtempSync(tmpPrefix("pristine"));
  const rootfs = path.join(parent, "rootfs");
  const started = performance.now();
  await buildRootfs(rootfs);
  process.env["RUNTS_TEST_ROOTFS"] = rootfs;
  console.log(
    `[runts tests] runtime ${runtimeBin()}; run ${token}; pristine rootfs built in ${Math.round(performance.now() - started)} ms`,
  );

  return () => {
    rmSync(parent, { recursive: true, force: true });
    const left: LeakSnapshot = { ...snapshotLeaks(token), fds: [] };
    // Empty before the sweep: left so by the run itself, a leak of its own.
    const emptied = emptyNewParents(parentsBefore, runtsParents());
    const actions = isEmpty(left) ? [] : sweepLeaks(left);
    // Emptied by the sweep: they held a leaked container cgroup, reported below
    // with the other leftovers; their removal is part of that cleanup.
    actions.push(...emptyNewParents(parentsBefore, runtsParents()).filter((d) => !emptied.includes(d)).map(removeParent));
    if (emptied.length) {
      console.error(
        `${BANNER}\n[runts tests] LEAKS: the test run ${token} left the runtime's cgroup parent empty behind ` +
          `(the run fails). Cleanup done:\n${emptied.map((d) => `  ${removeParent(d)}`).join("\n")}\n${BANNER}`,
      );
      process.exitCode = 1;
    }
    if (isEmpty(left)) return;
    console.error(
      [
        BANNER,
        `[runts tests] LEAKS: the test run ${token} left things on the host. They were force-removed` +
          `${actions.some((a) => a.startsWith("FAILED")) ? " where possible (see FAILED below)" : ""},`,
        "and the run fails. Leftovers:",
        formatLeaks(left),
        "Cleanup done:",
        ...actions.map((a) => `  ${a}`),
        BANNER,
      ].join("\n"),
    );
    process.exitCode = 1;
  };
}

/** rmdir an empty /runts parent; what was done or why not, in sweepLeaks's words. */
function removeParent(dir: string): string {
  try {
    rmdirSync(dir);
    return `rmdir ${dir}`;
  } catch (err) {
    // In use again (another runts process made a cgroup in it), say: not ours to remove any more.
    return `FAILED rmdir ${dir}: ${err instanceof Error ? err.message : String(err)}`;
  }
}

