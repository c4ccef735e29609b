// Prints bench/run.sh's results table: node bench/report.mjs RESULTS_DIR PAR
import fs from "node:fs";
import path from "node:path";

const [dir, par = "50"] = process.argv.slice(2);
const runtimes = ["runts", "runc", "crun"];
const read = (f) => (fs.existsSync(path.join(dir, f)) ? fs.readFileSync(path.join(dir, f), "utf8") : null);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

// name -> { runtime -> { median, min, max, n } | null }, unit
const rows = [];

function timeRow(label, file) {
  const text = read(`${file}.json`);
  const res = text ? JSON.parse(text).results : [];
  const vals = {};
  for (const rt of runtimes) {
    const r = res.find((x) => x.command === rt);
    vals[rt] = r
      ? { median: r.median * 1000, min: r.min * 1000, max: r.max * 1000, n: r.times.length }
      : null;
  }
  const na = {};
  for (const rt of runtimes) {
    const why = read(`${file}-${rt}.na`);
    if (why) na[rt] = why.trim();
  }
  rows.push({ label, unit: "ms", vals, na });
}

function rssRows() {
  const peak = {};
  const init = {};
  const cmd = {};
  for (const rt of runtimes) {
    const text = read(`rss-${rt}.txt`);
    if (!text) continue;
    const lines = text.trim().split("\n").map((l) => l.split(" "));
    const p = lines.map((l) => Number(l[0]) / 1024);
    const i = lines.map((l) => Number(l[1]) / 1024);
    peak[rt] = { median: median(p), min: Math.min(...p), max: Math.max(...p), n: p.length };
    init[rt] = { median: median(i), min: Math.min(...i), max: Math.max(...i), n: i.length };
    cmd[rt] = lines[0].slice(2).join(" ").trim();
  }
  rows.push({ label: "peak RSS of `create` (GNU time %M)", unit: "MiB", vals: peak, na: {} });
  rows.push({ label: "RSS of init waiting for `start`", unit: "MiB", vals: init, na: {} });
  return cmd;
}

timeRow("--version (start-up alone)", "version");
timeRow("run /bin/true", "run");
timeRow("create + start + delete -f", "csd");
timeRow("state (created container)", "state");
timeRow("exec /bin/true (running container)", "exec");
timeRow(`${par} x run -d in parallel, wall`, "par");
const initCmd = rssRows();

const fmt = (v, unit) => {
  if (!v) return "n/a";
  const x = v.median;
  const digits = x >= 100 ? 0 : x >= 10 ? 1 : 2;
  return `${x.toFixed(digits)} ${unit}`;
};
const ratio = (a, b) => (a && b ? `${(a.median / b.median).toFixed(2)}x` : "n/a");

const W0 = Math.max(...rows.map((r) => r.label.length)) + 2;
const pad = (s, w) => String(s).padStart(w);
const out = [];
out.push("== results: medians (ratio = runtime / runc, lower is better)");
out.push(
  "".padEnd(W0) + runtimes.map((rt) => pad(rt, 11)).join("") + pad("runts/runc", 12) + pad("crun/runc", 11),
);
for (const r of rows) {
  out.push(
    r.label.padEnd(W0) +
      runtimes.map((rt) => pad(fmt(r.vals[rt], r.unit), 11)).join("") +
      pad(ratio(r.vals.runts, r.vals.runc), 12) +
      pad(ratio(r.vals.crun, r.vals.runc), 11),
  );
}
out.push("");
out.push("== spread: min .. max (runs)");
for (const r of rows) {
  out.push(
    r.label.padEnd(W0) +
      runtimes
        .map((rt) => {
          const v = r.vals[rt];
          if (!v) return pad("n/a", 24);
          const d = r.unit === "MiB" ? 1 : v.max >= 100 ? 0 : 1;
          return pad(`${v.min.toFixed(d)} .. ${v.max.toFixed(d)} (${v.n})`, 24);
        })
        .join(""),
  );
}
out.push("");
for (const r of rows) for (const [rt, why] of Object.entries(r.na)) out.push(`${r.label}: ${rt} n/a: ${why}`);
for (const rt of runtimes) {
  const counts = read(`par-running-${rt}.txt`);
  if (counts) {
    const c = counts.trim().split("\n").map(Number);
    const ok = c.every((n) => n === Number(par));
    out.push(`parallel start, ${rt}: containers running after each round: ${c.join(", ")}${ok ? " (all)" : " (NOT all!)"}`);
  }
}
for (const rt of runtimes) if (initCmd[rt]) out.push(`init process waiting for start, ${rt}: ${initCmd[rt]}`);
console.log(out.join("\n"));
