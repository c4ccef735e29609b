/**
 * Start-up cost guard: the quick commands must not load zod, the spec
 * schemas or the planner. Walks the static (non-type) imports from each
 * command module; dynamic import() is the way to reach heavy code on demand.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const SRC = path.resolve(new URL("../../src", import.meta.url).pathname);

function staticImports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const out: string[] = [];
  // import x from "y"; import { a } from "y"; export ... from "y" — but not `import type`.
  for (const m of text.matchAll(/^(?:import|export)\s+(?!type\b)(?:[^"';]*?\sfrom\s+)?["']([^"']+)["']/gm)) {
    const spec = m[1] as string;
    if (spec.startsWith(".")) out.push(path.resolve(path.dirname(file), spec.replace(/\.js$/, ".ts")));
    else out.push(spec);
  }
  return out;
}

function reachable(entry: string): Set<string> {
  const seen = new Set<string>();
  const todo = [entry];
  while (todo.length) {
    const f = todo.pop() as string;
    if (seen.has(f)) continue;
    seen.add(f);
    if (f.startsWith("/")) todo.push(...staticImports(f));
  }
  return seen;
}

describe("lazy imports", () => {
  for (const cmd of ["state", "kill", "start", "delete", "list", "ps", "pause", "resume"]) {
    it(`${cmd} loads neither zod nor the spec schemas nor the planner`, () => {
      const mods = [...reachable(path.join(SRC, "commands", `${cmd}.ts`)), ...reachable(path.join(SRC, "cli", "main.ts"))];
      const heavy = mods.filter((m) => m === "zod" || m.startsWith("zod/") || m.includes("/spec/") || m.includes("/plan/build") || m === "pino");
      expect(heavy).toEqual([]);
    });
  }

  for (const cmd of ["create", "run", "state", "start", "pause", "resume"]) {
    it(`${cmd}, whose usual lines engine-args.ts reads, loads neither runc's full parser nor its command table`, () => {
      const mods = [...reachable(path.join(SRC, "commands", `${cmd}.ts`)), ...reachable(path.join(SRC, "cli", "main.ts"))];
      expect(mods.filter((m) => m.endsWith("/cli/args.ts") || m.endsWith("/cli/commands.ts"))).toEqual([]);
    });
  }

  it("the entry (with `state`, loaded with it) reaches no cgroup manager, libc, launcher or planner", () => {
    const mods = [...reachable(path.join(SRC, "cli", "main.ts"))].map((m) => path.relative(SRC, m));
    expect(mods).toContain("commands/state.ts");
    const heavy = mods.filter(
      (m) => m === "cgroups/manager.ts" || m === "cgroups/index.ts" || m.startsWith("sys/") || m.startsWith("launcher/") || m.startsWith("plan/"),
    );
    expect(heavy).toEqual([]);
  });

  it("the walker does see args.ts where a command imports it (kill)", () => {
    expect([...reachable(path.join(SRC, "commands", "kill.ts"))]).toContain(path.join(SRC, "cli", "args.ts"));
  });

  it("the walker does see zod where it is imported", () => {
    expect([...reachable(path.join(SRC, "spec", "validate.ts"))]).toContain("zod/mini");
  });

  it("loading a good config.json builds no zod schema: zod/mini and schema.ts come only with validate.ts", () => {
    const mods = [...reachable(path.join(SRC, "spec", "load.ts"))];
    expect(mods).not.toContain("zod/mini");
    expect(mods.filter((m) => m.endsWith("/spec/schema.ts") || m.endsWith("/spec/validate.ts"))).toEqual([]);
  });
});
