/**
 * Output that must match runc 1.1 byte for byte, because engines and people
 * parse it: `list` (table, -q, json), `ps` (table filtered from ps(1) output,
 * json). Pure functions; the commands do the I/O. `state` and Go's JSON
 * encoding are in state-json.ts.
 */
import { RuntsError } from "../errors.js";
import { goQuote } from "./quote.js";
import { type ContainerStateView, type StateField, createdText, goJsonString, stateFields } from "./state-json.js";

// ---------------------------------------------------------------------------
// inputs

/** A `list` row: the state plus the owner (user name of the state dir's uid, or "#<uid>"). */
export interface ContainerListItem extends ContainerStateView {
  owner: string;
}

export type OutputFormat = "table" | "json";

/** runc's check of --format for list and ps. Throws `invalid format option`. */
export function parseOutputFormat(s: string): OutputFormat {
  if (s === "table" || s === "json") return s;
  throw new RuntsError("invalid format option");
}

// ---------------------------------------------------------------------------
// list and state JSON

function compactObject(fields: StateField[]): string {
  const parts = fields.map(([k, v]) => {
    const val = typeof v === "string" ? v : `{${v.map(([mk, mv]) => `${mk}:${mv}`).join(",")}}`;
    return `${goJsonString(k)}:${val}`;
  });
  return `{${parts.join(",")}}`;
}

// ---------------------------------------------------------------------------
// text/tabwriter

export interface TabwriterOptions {
  minwidth: number;
  tabwidth: number;
  padding: number;
  padchar: string;
  alignRight?: boolean;
  discardEmptyColumns?: boolean;
}

interface Cell {
  text: string;
  width: number;
  htab: boolean;
}

/**
 * Go's text/tabwriter: Write(text) then Flush(), for the flags runts needs
 * (AlignRight, DiscardEmptyColumns; no escapes, no HTML filtering). Cells end
 * at '\t' or '\v'; lines at '\n' or '\f'. The last cell of a line is not part
 * of a column. A line with a single cell ends the block of aligned lines.
 */
export function tabwrite(text: string, o: TabwriterOptions): string {
  let out = "";
  let lines: Cell[][] = [[]];
  let cur = "";
  const width = (s: string): number => [...s].length;

  const writePadding = (textw: number, cellw: number): void => {
    if (o.padchar === "\t") {
      if (o.tabwidth === 0) return;
      const w = Math.ceil(cellw / o.tabwidth) * o.tabwidth;
      out += "\t".repeat(Math.ceil((w - textw) / o.tabwidth));
      return;
    }
    out += o.padchar.repeat(Math.max(0, cellw - textw));
  };

  const writeLines = (widths: number[], line0: number, line1: number): void => {
    for (let i = line0; i < line1; i++) {
      const line = lines[i] ?? [];
      line.forEach((c, j) => {
        const w = widths[j];
        if (c.text.length === 0) {
          if (w !== undefined) writePadding(c.width, w);
        } else if (!o.alignRight) {
          out += c.text;
          if (w !== undefined) writePadding(c.width, w);
        } else {
          if (w !== undefined) writePadding(c.width, w);
          out += c.text;
        }
      });
      if (i + 1 !== lines.length) out += "\n";
    }
  };

  const format = (widths: number[], line0: number, line1: number): void => {
    const column = widths.length;
    for (let t = line0; t < line1; t++) {
      if (column >= (lines[t] ?? []).length - 1) continue;
      writeLines(widths, line0, t);
      line0 = t;
      let w = o.minwidth;
      let discardable = true;
      for (; t < line1; t++) {
        const line = lines[t] ?? [];
        if (column >= line.length - 1) break;
        const c = line[column];
        if (!c) break;
        if (c.width + o.padding > w) w = c.width + o.padding;
        if (c.width > 0 || c.htab) discardable = false;
      }
      if (discardable && o.discardEmptyColumns) w = 0;
      widths.push(w);
      format(widths, line0, t);
      widths.pop();
      line0 = t;
    }
    writeLines(widths, line0, line1);
  };

  const flush = (): void => {
    if (cur.length > 0) {
      lines[lines.length - 1]?.push({ text: cur, width: width(cur), htab: false });
      cur = "";
    }
    format([], 0, lines.length);
    lines = [[]];
  };

  for (const ch of text) {
    if (ch === "\t" || ch === "\v" || ch === "\n" || ch === "\f") {
      const line = lines[lines.length - 1] ?? [];
      line.push({ text: cur, width: width(cur), htab: ch === "\t" });
      cur = "";
      if (ch === "\n" || ch === "\f") {
        lines.push([]);
        if (ch === "\f" || line.length === 1) flush();
      }
    } else {
      cur += ch;
    }
  }
  flush();
  return out;
}

/** runc list's writer: tabwriter.NewWriter(os.Stdout, 12, 1, 3, ' ', 0). */
export const LIST_TABWRITER: TabwriterOptions = { minwidth: 12, tabwidth: 1, padding: 3, padchar: " " };

// ---------------------------------------------------------------------------
// list

/**
 * `runts list` stdout. `quiet` wins over `format` (runc checks -q first, so
 * `list -q -f bogus` succeeds); an unknown format throws `invalid format option`.
 */
export function formatList(items: readonly ContainerListItem[], format: string, quiet = false): string {
  if (quiet) return items.map((i) => `${i.id}\n`).join("");
  switch (parseOutputFormat(format)) {
    case "table": {
      let text = "ID\tPID\tSTATUS\tBUNDLE\tCREATED\tOWNER\n";
      for (const i of items) {
        const pid = i.status === "stopped" ? 0 : Math.trunc(i.pid);
        text += `${i.id}\t${pid}\t${i.status}\t${i.bundle}\t${createdText(i.created)}\t${i.owner}\n`;
      }
      return tabwrite(text, LIST_TABWRITER);
    }
    case "json":
      // json.NewEncoder(os.Stdout).Encode(s) of a nil slice when empty.
      if (items.length === 0) return "null\n";
      return `[${items.map((i) => compactObject(stateFields(i, i.owner))).join(",")}]\n`;
  }
}

// ---------------------------------------------------------------------------
// ps

/** `runts ps -f json` stdout: the host pids, `null` when there are none (Go nil slice). */
export function formatPsJson(pids: readonly number[]): string {
  return pids.length === 0 ? "null\n" : `[${pids.join(",")}]\n`;
}

/**
 * `runts ps -f table` stdout, from the output of `ps <psArgs>` (default
 * `ps -ef`): the header line, then the lines whose PID column is one of the
 * container's pids, as runc does. Throws runc's errors when the header has no
 * PID column or a PID field is not a number.
 */
export function filterPsOutput(psOutput: string, pids: readonly number[]): string {
  const lines = psOutput.split("\n");
  const header = lines[0] ?? "";
  const pidIndex = header.split(/\s+/).filter((f) => f !== "").indexOf("PID");
  if (pidIndex < 0) throw new RuntsError("couldn't find PID field in ps output");
  const want = new Set(pids);
  let out = header + "\n";
  for (const line of lines.slice(1)) {
    if (line.length === 0) continue;
    const field = line.split(/\s+/).filter((f) => f !== "")[pidIndex];
    if (field === undefined) {
      // runc would panic (index out of range) here.
      throw new RuntsError(`unable to parse pid: line has no PID field: ${goQuote(line)}`);
    }
    if (!/^[+-]?[0-9]+$/.test(field)) {
      throw new RuntsError(`unable to parse pid: strconv.Atoi: parsing ${goQuote(field)}: invalid syntax`);
    }
    if (want.has(Number(field))) out += line + "\n";
  }
  return out;
}
