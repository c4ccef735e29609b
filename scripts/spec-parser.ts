/**
 * Generates src/spec/parse-fast.generated.ts: the config.json schema
 * (src/spec/schema.ts) compiled ahead of time by zod's own compiler into one
 * plain function, so that `create` validates a good config without loading
 * zod or building its ~300 schema objects (about 3 ms of a cold start).
 * A config the fast parser refuses still goes through zod (src/spec/
 * validate.ts), which says what is wrong.
 *
 * zod's compileFn turns a schema into code plus constants (the schema's
 * refinements, key sets, regexes, a few zod helpers) and evaluates it with
 * `new Function`. Here the constants are caught on their way into that
 * Function and written out as source: each must be something this file
 * knows how to name, or generation fails and says which one. Refinements
 * therefore live in src/spec/checks.ts as named functions.
 *
 * Used by scripts/gen-spec-parser.ts (writes the file) and by the unit test
 * that fails when the committed file is stale.
 */
import { INVALID, compileFn, util } from "zod/v4/core";
import * as checks from "../src/spec/checks.js";
import { specSchema } from "../src/spec/schema.js";

export const GENERATED_PATH = "src/spec/parse-fast.generated.ts";

interface Captured {
  names: string[];
  values: unknown[];
  body: string;
}

/** Run compileFn, catching the arguments it gives `new Function` and the constants it passes the factory. */
function captureCompiled(): Captured {
  const realFunction = globalThis.Function;
  let captured: Captured | undefined;
  const spy = function (...args: string[]) {
    const body = args[args.length - 1] ?? "";
    const names = args.slice(0, -1);
    const factory = new realFunction(...args) as (...values: unknown[]) => unknown;
    return (...values: unknown[]) => {
      captured = { names, values, body };
      return factory(...values);
    };
  };
  globalThis.Function = spy as unknown as FunctionConstructor;
  try {
    compileFn(specSchema);
  } finally {
    globalThis.Function = realFunction;
  }
  if (!captured) throw new Error("zod's compileFn did not go through new Function: its internals changed");
  return captured;
}

function byIdentity(namespace: object, prefix: string): Map<unknown, string> {
  return new Map(Object.entries(namespace).map(([name, value]) => [value, `${prefix}.${name}`]));
}

function constantSource(name: string, value: unknown, known: Map<unknown, string>): string {
  if (value === INVALID) return "INVALID";
  const named = known.get(value);
  if (named) return named;
  if (value instanceof Set) {
    const items = [...value];
    if (items.every((x) => typeof x === "string")) return `new Set(${JSON.stringify(items)})`;
  }
  if (value instanceof RegExp) return `new RegExp(${JSON.stringify(value.source)}, ${JSON.stringify(value.flags)})`;
  if (typeof value === "function") {
    // zod's guard for a refinement that returns a promise (none of ours do).
    if (value.name === "throwAsync") return '() => { throw new Error("config schema: asynchronous refinement"); }';
    // A default value's getter: the value, as a literal built afresh on each call. (A default
    // computed anew each time, such as a timestamp, would be frozen here: the schema has none.)
    if (value.length === 0 && String(value).includes("defaultValue")) {
      const v: unknown = (value as () => unknown)();
      const json = JSON.stringify(v);
      if (json === undefined || JSON.stringify(JSON.parse(json)) !== json) {
        throw new Error(`${name}: a default that is not plain JSON`);
      }
      return `() => (${json})`;
    }
  }
  throw new Error(
    `${name}: cannot write this constant of the compiled schema as source: ${String(value).slice(0, 120)}\n` +
      "(a refinement must be a function exported by src/spec/checks.ts)",
  );
}

/**
 * zod wraps each optional property's check in an arrow function called at
 * once, `let v3 = (() => { let v4; if (v2 !== undefined) { ... } return v4;
 * })();`. runts parses one config in a cold process, where JavaScriptCore
 * links each function on its first call, at a cost that grows with the
 * function's size, whether or not its code then runs:
 * - a small one becomes a labelled block of the enclosing function, `let v3;
 *   v3_: { ... { v3 = v4; break v3_; } }` (~160 of them: each call cost more
 *   than its inlined code);
 * - a large one (more than LINK_APART lines: seccomp, resources, hooks ...)
 *   stays a function, called only when its property is there, so a config
 *   without it never links its code: `let v3 = v2 === undefined ? undefined :
 *   (() => { ... })();`. For an absent property the function would have
 *   returned its `let v4`, undefined, so the result is the same.
 * The generated code is line-shaped (an opener line, a `})();` closer at the
 * same indentation, single-line returns), and has no other functions inside,
 * so every return up to the matching closer belongs to the innermost open
 * one. Anything unexpected fails the generation.
 */
export function inlineImmediateFunctions(code: string): string {
  const lines = code.split("\n");
  const closers = matchingClosers(lines);
  const out: string[] = [];
  const open: Array<{ name: string; indent: string; close: number; kept: boolean }> = [];
  lines.forEach((line, i) => {
    const opener = OPENER.exec(line);
    if (opener) {
      const [, indent = "", name = ""] = opener;
      const close = closers.get(i);
      if (close === undefined) throw new Error("unbalanced immediately called functions in zod's compiled code");
      const guard = optionalGuard(lines, i, close);
      const kept = guard !== undefined && close - i > LINK_APART;
      open.push({ name, indent, close, kept });
      if (kept) out.push(`${indent}let ${name} = ${guard} === undefined ? undefined : (() => {`);
      else out.push(`${indent}let ${name};`, `${indent}${name}_: {`);
      return;
    }
    const top = open[open.length - 1];
    if (top && i === top.close) {
      open.pop();
      out.push(top.kept ? line : `${top.indent}}`);
      return;
    }
    if (/=>|\bfunction\b/.test(line)) throw new Error(`unexpected function in zod's compiled code: ${line.trim()}`);
    if (top && !top.kept && /\breturn\b/.test(line)) {
      const replaced = line.replace(/(^\s*|\) )return ([^;]+);$/, (_m, lead: string, value: string) => `${lead}{ ${top.name} = (${value}); break ${top.name}_; }`);
      if (replaced === line) throw new Error(`unexpected return in zod's compiled code: ${line.trim()}`);
      out.push(replaced);
      return;
    }
    out.push(line);
  });
  return out.join("\n");
}

/** Immediately called functions longer than this many lines stay functions (see above). */
const LINK_APART = 30;

const OPENER = /^(\s*)let (v\d+) = \(\(\) => \{$/;

/** Line index of each opener → line index of its `})();` closer. */
function matchingClosers(lines: string[]): Map<number, number> {
  const closers = new Map<number, number>();
  const stack: Array<{ at: number; indent: string }> = [];
  lines.forEach((line, i) => {
    const opener = OPENER.exec(line);
    if (opener) stack.push({ at: i, indent: opener[1] ?? "" });
    else if (stack.length && line === `${stack[stack.length - 1]?.indent}})();`) closers.set(stack.pop()?.at ?? -1, i);
  });
  return closers;
}

/**
 * For the optional-property shape, `let vM;` / `if (vX !== undefined) {` /
 * ... / `}` / `return vM;` and nothing else, the vX whose absence makes the
 * function return undefined; otherwise undefined.
 */
function optionalGuard(lines: string[], open: number, close: number): string | undefined {
  const result = /^\s*let (v\d+);$/.exec(lines[open + 1] ?? "")?.[1];
  const guard = /^(\s*)if \((v\d+) !== undefined\) \{$/.exec(lines[open + 2] ?? "");
  if (!result || !guard || guard[2] === result) return undefined;
  const ifIndent = guard[1] ?? "";
  if (lines[close - 2] !== `${ifIndent}}` || lines[close - 1] !== `${ifIndent}return ${result};`) return undefined;
  // The if must end just before the return: every line in between is inside it (indented deeper).
  for (let i = open + 3; i < close - 2; i++) {
    if (!(lines[i] ?? "").startsWith(`${ifIndent} `)) return undefined;
  }
  return guard[2];
}

/** The text of src/spec/parse-fast.generated.ts. */
export function generateSpecParser(): string {
  const { names, values, body } = captureCompiled();
  const known = new Map<unknown, string>([
    ...byIdentity(checks, "checks"),
    ...byIdentity(util, "util"),
    [Object.prototype.propertyIsEnumerable, "Object.prototype.propertyIsEnumerable"],
  ]);
  const constants = names
    .map((name, i) => (name === "INVALID" ? "" : `const ${name} = ${constantSource(name, values[i], known)};`))
    .filter(Boolean);
  const prefix = "return (input) => {\n";
  if (!body.startsWith(prefix) || !body.endsWith("\n}")) throw new Error("unexpected shape of zod's compiled function");
  const code = inlineImmediateFunctions(body.slice(prefix.length, -2));
  return [
    "// @ts-nocheck -- generated by scripts/gen-spec-parser.ts from src/spec/schema.ts",
    "// with zod's schema compiler. Do not edit: change the schema, then run",
    "// `npm run gen:spec-parser` (a unit test fails while this file is stale).",
    'import { util } from "zod/v4/core";',
    'import * as checks from "./checks.js";',
    "",
    "/** What parseSpecFast returns for a config it does not accept (zod's own marker). */",
    'export const INVALID: unique symbol = Symbol.for("zod.compile.invalid");',
    ...constants,
    "",
    "/** The config as specSchema.parse returns it, or INVALID: then ask zod why. */",
    "export function parseSpecFast(input: unknown): unknown {",
    code,
    "}",
    "",
  ].join("\n");
}
