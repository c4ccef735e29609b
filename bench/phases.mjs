// Turns bench/phases.sh's strace -f -ttt traces into a phase table.
//   node bench/phases.mjs OUTDIR RUNTIME...
// OUTDIR/RUNTIME/ has trace-*.txt, bundle (the bundle path) and untraced.json.
import fs from "node:fs";
import path from "node:path";

const [dir, ...runtimes] = process.argv.slice(2);

const MILESTONES = [
  ["start", "runtime execve'd"],
  ["config", "config.json opened"],
  ["helper", "helper exec'd (runts-init, runc init)"],
  ["ns", "namespaces (clone/clone3/unshare CLONE_NEW*)"],
  ["cgroup", "cgroup.procs first opened for writing"],
  ["cgroupLast", "cgroup.procs last opened for writing"],
  ["mount", "first mount in the container"],
  ["pivot", "pivot_root"],
  ["exec", "execve /bin/true"],
  ["cexit", "container process exited"],
  ["exit", "runtime exited (after wait + delete)"],
];

// One strace line: "PID SECONDS.MICROS rest".
const LINE = /^(\d+)\s+(\d+\.\d+)\s+(.*)$/;

function milestones(file, bundle) {
  const lines = fs
    .readFileSync(file, "utf8")
    .split("\n")
    .map((l) => l.match(LINE))
    .filter(Boolean)
    .map((m) => ({ pid: Number(m[1]), t: Number(m[2]) * 1000, s: m[3] }));
  if (!lines.length) throw new Error(`${file}: empty trace`);
  const leader = lines[0].pid;
  const t0 = lines[0].t;
  const first = (pred) => lines.find(pred);
  const execTrue = first((l) => l.s.startsWith('execve("/bin/true"'));
  if (!execTrue) throw new Error(`${file}: no execve of /bin/true`);
  const c = execTrue.pid;
  const m = {
    start: lines[0],
    // runc and crun chdir into the bundle and open "config.json".
    config: first(
      (l) => /^open(at2?)?\(/.test(l.s) && (l.s.includes(`"${bundle}/config.json"`) || l.s.includes('"config.json"')),
    ),
    helper: first((l) => l.pid !== leader && l.pid !== c && l.s.startsWith("execve(") && l.t < execTrue.t),
    ns: first((l) => /^(clone3?|unshare)\(/.test(l.s) && l.s.includes("CLONE_NEW")),
    cgroup: first((l) => /^open(at2?)?\(/.test(l.s) && l.s.includes('/cgroup.procs"') && l.s.includes("O_WRONLY")),
    mount: first((l) => l.pid === c && l.s.startsWith("mount(")),
    cgroupLast: [...lines]
      .reverse()
      .find((l) => /^open(at2?)?\(/.test(l.s) && l.s.includes('/cgroup.procs"') && l.s.includes("O_WRONLY")),
    pivot: first((l) => l.pid === c && l.s.startsWith("pivot_root(")),
    exec: execTrue,
    cexit: first((l) => l.pid === c && l.t > execTrue.t && (l.s.startsWith("exit_group(") || l.s.startsWith("+++"))),
    exit: [...lines].reverse().find((l) => l.pid === leader && l.s.startsWith("+++")),
  };
  const out = {};
  for (const [k] of MILESTONES) out[k] = m[k] ? m[k].t - t0 : null;
  return out;
}

const median = (xs) => {
  const s = xs.filter((x) => x !== null).sort((a, b) => a - b);
  if (!s.length) return null;
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
};

const cols = {};
for (const rt of runtimes) {
  const d = path.join(dir, rt);
  const bundle = fs.readFileSync(path.join(d, "bundle"), "utf8").trim();
  const traces = fs.readdirSync(d).filter((f) => /^trace-\d+\.txt$/.test(f));
  const per = traces.map((f) => milestones(path.join(d, f), bundle));
  const med = {};
  for (const [k] of MILESTONES) med[k] = median(per.map((p) => p[k]));
  const hf = JSON.parse(fs.readFileSync(path.join(d, "untraced.json"), "utf8")).results[0];
  cols[rt] = { med, n: traces.length, untraced: hf.median * 1000 };
}

const W0 = Math.max(...MILESTONES.map(([, l]) => l.length)) + 2;
const CW = 20;
const out = [];
let outOfOrder = false;
out.push(
  `== phases of \`run\` of /bin/true: median ms offset from the runtime's execve (+ms since the previous one), strace -f --seccomp-bpf`,
);
out.push("".padEnd(W0) + runtimes.map((rt) => `${rt} (${cols[rt].n} traced)`.padStart(CW)).join(""));
for (const [k, label] of MILESTONES) {
  let row = label.padEnd(W0);
  for (const rt of runtimes) {
    const med = cols[rt].med;
    const v = med[k];
    if (v === null) {
      row += "-".padStart(CW);
      continue;
    }
    // Delta from the latest of the rows above that came before it in time;
    // "*" marks a milestone that came before some row above it.
    const earlier = MILESTONES.slice(0, MILESTONES.findIndex(([kk]) => kk === k))
      .map(([kk]) => med[kk])
      .filter((x) => x !== null);
    const before = earlier.filter((x) => x <= v);
    const prev = before.length ? Math.max(...before) : null;
    const mark = before.length < earlier.length ? "*" : "";
    if (mark) outOfOrder = true;
    const delta = prev === null ? "" : ` (+${(v - prev).toFixed(1)})`;
    row += `${v.toFixed(1)}${delta}${mark}`.padStart(CW);
  }
  out.push(row);
}
out.push(
  "untraced run, hyperfine median".padEnd(W0) + runtimes.map((rt) => cols[rt].untraced.toFixed(1).padStart(CW)).join(""),
);
out.push(
  "strace slowdown (traced total / untraced)".padEnd(W0) +
    runtimes.map((rt) => `${(cols[rt].med.exit / cols[rt].untraced).toFixed(2)}x`.padStart(CW)).join(""),
);
if (outOfOrder) out.push("* before a milestone listed above it (e.g. runc joins the cgroups before unshare)");
console.log(out.join("\n"));
