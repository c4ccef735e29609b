/**
 * `runts state ID` output, byte for byte runc 1.1's, and the Go encoding/json
 * (go1.19) rules it follows (list's JSON uses them too, see format.ts):
 * struct field order, map keys sorted, `<`, `>`, `&`, U+2028 and U+2029
 * escaped, control characters as \u00XX except \n \r \t. Apart from
 * format.ts so that `state`, the call engines make most, loads only this.
 */

/** A container as `state` and `list` show it (runc's containerState). */
export interface ContainerStateView {
  ociVersion: string;
  id: string;
  /** Host pid of the init process. Printed as 0 when status is "stopped", whatever is given. */
  pid: number;
  /** "creating" | "created" | "running" | "paused" | "stopped" */
  status: string;
  bundle: string;
  rootfs: string;
  /**
   * Creation time. A string is printed verbatim (store Go's RFC3339Nano text,
   * e.g. "2026-11-22T11:42:31.885334047Z"); a Date or a bigint of nanoseconds
   * since the epoch is formatted as RFC3339Nano in UTC.
   */
  created: string | Date | bigint;
  /** Omitted from the output when undefined or empty. */
  annotations?: Readonly<Record<string, string>>;
}

const HEX = "0123456789abcdef";

/**
 * Printable ASCII other than `"`, `\\`, `<`, `>` and `&`: copied as is. Anything
 * else (what Go's encoder escapes: controls, those five, U+2028/9, lone
 * surrogates; and, to keep the test simple, anything past ASCII, which the
 * careful path copies as Go does) goes the careful way. A loop, not a regex:
 * compiling one costs a cold `state` more than scanning its few short strings.
 */
function isPlain(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c || c === 0x3c || c === 0x3e || c === 0x26) return false;
  }
  return true;
}

/** A JSON string literal exactly as Go's encoding/json writes it (HTML escaping on). */
export function goJsonString(s: string): string {
  return isPlain(s) ? `"${s}"` : escaped(s);
}

/**
 * The careful path, a function of its own: JavaScriptCore links a function on
 * its first call at a cost that grows with its size, and `state` rarely needs it.
 */
function escaped(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        out += s[i] + (s[i + 1] ?? "");
        i++;
      } else {
        out += "\\ufffd";
      }
      continue;
    }
    if (c >= 0xdc00 && c <= 0xdfff) {
      out += "\\ufffd";
      continue;
    }
    switch (c) {
      case 0x22:
        out += '\\"';
        continue;
      case 0x5c:
        out += "\\\\";
        continue;
      case 0x0a:
        out += "\\n";
        continue;
      case 0x0d:
        out += "\\r";
        continue;
      case 0x09:
        out += "\\t";
        continue;
    }
    if (c < 0x20 || c === 0x3c || c === 0x3e || c === 0x26 || c === 0x2028 || c === 0x2029) {
      out += "\\u" + (c < 0x100 ? "00" + HEX[c >> 4] + HEX[c & 15] : c.toString(16).padStart(4, "0"));
      continue;
    }
    out += s[i];
  }
  return out + '"';
}

/** Go sorts map keys by their UTF-8 bytes. */
function goSortedKeys(m: Readonly<Record<string, string>>): string[] {
  return Object.keys(m).sort((a, b) => Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8")));
}

function pad2(n: number): string {
  return String(n).padStart(2, "0");
}

/** Go's time.Format(time.RFC3339Nano) for a UTC instant given in nanoseconds since the epoch. */
export function rfc3339Nano(epochNs: bigint): string {
  let nanos = epochNs % 1_000_000_000n;
  if (nanos < 0n) nanos += 1_000_000_000n;
  // the whole seconds, for the calendar part
  const d = new Date(Number((epochNs - nanos) / 1_000_000n));
  const y = d.getUTCFullYear();
  let out =
    `${String(y).padStart(4, "0")}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}` +
    `T${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
  if (nanos !== 0n) out += "." + nanos.toString().padStart(9, "0").replace(/0+$/, "");
  return out + "Z";
}

export function createdText(c: string | Date | bigint): string {
  if (typeof c === "string") return c;
  if (typeof c === "bigint") return rfc3339Nano(c);
  return rfc3339Nano(BigInt(c.getTime()) * 1_000_000n);
}

/** A field of runc's containerState: its key and its value, already encoded as JSON (annotations: encoded key/value pairs). */
export type StateField = [string, string | [string, string][]];

/** [key, already-encoded JSON value] pairs in runc's containerState field order. */
export function stateFields(s: ContainerStateView, owner: string): StateField[] {
  const fields: StateField[] = [
    ["ociVersion", goJsonString(s.ociVersion)],
    ["id", goJsonString(s.id)],
    ["pid", String(s.status === "stopped" ? 0 : Math.trunc(s.pid))],
    ["status", goJsonString(s.status)],
    ["bundle", goJsonString(s.bundle)],
    ["rootfs", goJsonString(s.rootfs)],
    ["created", goJsonString(createdText(s.created))],
  ];
  const ann = s.annotations;
  if (ann && Object.keys(ann).length > 0) {
    fields.push(["annotations", goSortedKeys(ann).map((k) => [goJsonString(k), goJsonString(ann[k] ?? "")])]);
  }
  fields.push(["owner", goJsonString(owner)]);
  return fields;
}

/**
 * `runts state ID` stdout: json.MarshalIndent(state, "", "  ") with no
 * trailing newline. runc never fills "owner" here, so it is always "".
 */
export function formatState(s: ContainerStateView): string {
  const fields = stateFields(s, "");
  let out = "{\n";
  for (let i = 0; i < fields.length; i++) {
    const [k, v] = fields[i] as StateField;
    out += `  "${k}": `;
    if (typeof v === "string") {
      out += v;
    } else {
      out += "{\n";
      for (let j = 0; j < v.length; j++) {
        const [mk, mv] = v[j] as [string, string];
        out += `    ${mk}: ${mv}${j + 1 < v.length ? ",\n" : "\n"}`;
      }
      out += "  }";
    }
    out += i + 1 < fields.length ? ",\n" : "\n";
  }
  return out + "}";
}
