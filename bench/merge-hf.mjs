// Merges hyperfine JSON exports of the same commands (bench/run.sh runs each
// benchmark in rounds, the runtimes' order rotated every round) into one
// export of the same shape: every command's times pooled, median/min/max
// recomputed.  node bench/merge-hf.mjs OUT.json IN.json...
import fs from "node:fs";

const [out, ...inputs] = process.argv.slice(2);
const pooled = new Map();
for (const file of inputs) {
  for (const r of JSON.parse(fs.readFileSync(file, "utf8")).results) {
    const p = pooled.get(r.command) ?? { command: r.command, times: [], user: [], system: [] };
    p.times.push(...r.times);
    p.user.push(r.user);
    p.system.push(r.system);
    pooled.set(r.command, p);
  }
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const results = [...pooled.values()].map((p) => ({
  command: p.command,
  mean: p.times.reduce((a, b) => a + b, 0) / p.times.length,
  median: median(p.times),
  min: Math.min(...p.times),
  max: Math.max(...p.times),
  user: median(p.user),
  system: median(p.system),
  times: p.times,
}));
fs.writeFileSync(out, `${JSON.stringify({ results }, null, 2)}\n`);
