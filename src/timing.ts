/**
 * Phase marks for the launch path: `RUNTS_TIMING=1 runts run ...` prints, on
 * stderr, milliseconds since the process started at each phase. Costs one
 * branch per mark otherwise.
 */
import { stderr } from "./output.js";
const enabled = Boolean(process.env["RUNTS_TIMING"]);
const marks: Array<[string, number]> = [];

export function mark(phase: string): void {
  if (enabled) marks.push([phase, now()]);
}

export function reportMarks(): void {
  if (!enabled || !marks.length) return;
  let prev = 0;
  const lines = marks.map(([phase, t]) => {
    const line = `${t.toFixed(2).padStart(8)} ms  (+${(t - prev).toFixed(2).padStart(6)})  ${phase}`;
    prev = t;
    return line;
  });
  stderr(`runts timing:\n${lines.join("\n")}\n`);
}

/** Apart from mark(): a function naming `performance` sets it up when first run (~0.03M instructions), enabled or not. */
function now(): number {
  return performance.now();
}
