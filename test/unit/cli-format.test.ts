import { describe, expect, it } from "vitest";
import { RuntsError } from "../../src/errors.js";
import {
  LIST_TABWRITER,
  filterPsOutput,
  formatList,
  formatPsJson,
  parseOutputFormat,
  tabwrite,
  type ContainerListItem,
} from "../../src/cli/format.js";
import { type ContainerStateView, formatState, goJsonString, rfc3339Nano } from "../../src/cli/state-json.js";

// Everything below marked "captured" is runc 1.1.5's stdout, byte for byte,
// for containers created with `runc --root R run -d` / `create` on busybox
// bundles (see the report of the CLI work for the commands).

const C1: ContainerListItem = {
  ociVersion: "1.0.2-dev",
  id: "c1",
  pid: 5281,
  status: "running",
  bundle: "/tmp/rx/b1",
  rootfs: "/tmp/rx/b1/rootfs",
  created: "2026-11-22T11:42:31.885334047Z",
  owner: "root",
};

const LONG: ContainerListItem = {
  ociVersion: "1.0.2-dev",
  id: "container-with-a-long-id",
  pid: 5338,
  status: "created",
  bundle: "/tmp/rx/a-much-longer-bundle-directory-name",
  rootfs: "/tmp/rx/a-much-longer-bundle-directory-name/rootfs",
  created: "2026-11-22T11:42:32.153292631Z",
  annotations: { "org.example.z": "1", "a<b>&c": "x\u2028y", "com.b": "é" },
  owner: "root",
};

const UNI: ContainerListItem = {
  ociVersion: "1.0.2-dev",
  id: "u1",
  pid: 14489,
  status: "created",
  bundle: "/tmp/rx/bündle-é",
  rootfs: "/tmp/rx/bündle-é/rootfs",
  created: "2026-11-22T11:47:35.421416038Z",
  owner: "root",
};

const X: ContainerListItem = {
  ociVersion: "1.0.2-dev",
  id: "x",
  pid: 14504,
  status: "created",
  bundle: "/tmp/rx/b1",
  rootfs: "/tmp/rx/b1/rootfs",
  created: "2026-11-22T11:47:35.450714525Z",
  owner: "root",
};

describe("list", () => {
  it("table with no containers (captured)", () => {
    expect(formatList([], "table")).toBe("ID          PID         STATUS      BUNDLE      CREATED     OWNER\n");
  });

  it("table with containers (captured)", () => {
    expect(formatList([C1, LONG], "table")).toBe(
      "ID                         PID         STATUS      BUNDLE                                        CREATED                          OWNER\n" +
        "c1                         5281        running     /tmp/rx/b1                                    2026-11-22T11:42:31.885334047Z   root\n" +
        "container-with-a-long-id   5338        created     /tmp/rx/a-much-longer-bundle-directory-name   2026-11-22T11:42:32.153292631Z   root\n",
    );
  });

  it("table: stopped containers show pid 0 (captured)", () => {
    expect(formatList([{ ...C1, status: "stopped" }, LONG], "table")).toBe(
      "ID                         PID         STATUS      BUNDLE                                        CREATED                          OWNER\n" +
        "c1                         0           stopped     /tmp/rx/b1                                    2026-11-22T11:42:31.885334047Z   root\n" +
        "container-with-a-long-id   5338        created     /tmp/rx/a-much-longer-bundle-directory-name   2026-11-22T11:42:32.153292631Z   root\n",
    );
  });

  it("table: widths count runes, not bytes (captured)", () => {
    expect(formatList([UNI, X], "table")).toBe(
      "ID          PID         STATUS      BUNDLE             CREATED                          OWNER\n" +
        "u1          14489       created     /tmp/rx/bündle-é   2026-11-22T11:47:35.421416038Z   root\n" +
        "x           14504       created     /tmp/rx/b1         2026-11-22T11:47:35.450714525Z   root\n",
    );
  });

  it("json: null for none, Go field order, annotations sorted and HTML-escaped, newline-terminated (captured)", () => {
    expect(formatList([], "json")).toBe("null\n");
    expect(formatList([C1, LONG], "json")).toBe(
      '[{"ociVersion":"1.0.2-dev","id":"c1","pid":5281,"status":"running","bundle":"/tmp/rx/b1","rootfs":"/tmp/rx/b1/rootfs","created":"2026-11-22T11:42:31.885334047Z","owner":"root"},' +
        '{"ociVersion":"1.0.2-dev","id":"container-with-a-long-id","pid":5338,"status":"created","bundle":"/tmp/rx/a-much-longer-bundle-directory-name","rootfs":"/tmp/rx/a-much-longer-bundle-directory-name/rootfs","created":"2026-11-22T11:42:32.153292631Z","annotations":{"a\\u003cb\\u003e\\u0026c":"x\\u2028y","com.b":"é","org.example.z":"1"},"owner":"root"}]\n',
    );
    expect(formatList([{ ...C1, status: "stopped" }], "json")).toContain('"pid":0,"status":"stopped"');
    expect(formatList([UNI, X], "json")).toBe(
      '[{"ociVersion":"1.0.2-dev","id":"u1","pid":14489,"status":"created","bundle":"/tmp/rx/bündle-é","rootfs":"/tmp/rx/bündle-é/rootfs","created":"2026-11-22T11:47:35.421416038Z","owner":"root"},' +
        '{"ociVersion":"1.0.2-dev","id":"x","pid":14504,"status":"created","bundle":"/tmp/rx/b1","rootfs":"/tmp/rx/b1/rootfs","created":"2026-11-22T11:47:35.450714525Z","owner":"root"}]\n',
    );
  });

  it("-q: one id per line, nothing for none, any --format accepted (captured)", () => {
    expect(formatList([C1, LONG], "table", true)).toBe("c1\ncontainer-with-a-long-id\n");
    expect(formatList([], "json", true)).toBe("");
    expect(formatList([C1], "bogus", true)).toBe("c1\n");
  });

  it("unknown format: invalid format option", () => {
    expect(() => formatList([], "yaml")).toThrow(RuntsError);
    expect(() => formatList([], "yaml")).toThrow("invalid format option");
    expect(() => parseOutputFormat("yaml")).toThrow("invalid format option");
    expect(parseOutputFormat("json")).toBe("json");
  });
});

describe("state", () => {
  it("2-space indented, no trailing newline, owner always empty (captured)", () => {
    expect(formatState(C1)).toBe(
      "{\n" +
        '  "ociVersion": "1.0.2-dev",\n' +
        '  "id": "c1",\n' +
        '  "pid": 5281,\n' +
        '  "status": "running",\n' +
        '  "bundle": "/tmp/rx/b1",\n' +
        '  "rootfs": "/tmp/rx/b1/rootfs",\n' +
        '  "created": "2026-11-22T11:42:31.885334047Z",\n' +
        '  "owner": ""\n' +
        "}",
    );
  });

  it("stopped: pid 0 (captured)", () => {
    expect(formatState({ ...C1, status: "stopped" })).toContain('  "pid": 0,\n  "status": "stopped",\n');
  });

  it("annotations after created, sorted, escaped like Go (captured)", () => {
    expect(formatState(LONG)).toBe(
      "{\n" +
        '  "ociVersion": "1.0.2-dev",\n' +
        '  "id": "container-with-a-long-id",\n' +
        '  "pid": 5338,\n' +
        '  "status": "created",\n' +
        '  "bundle": "/tmp/rx/a-much-longer-bundle-directory-name",\n' +
        '  "rootfs": "/tmp/rx/a-much-longer-bundle-directory-name/rootfs",\n' +
        '  "created": "2026-11-22T11:42:32.153292631Z",\n' +
        '  "annotations": {\n' +
        '    "a\\u003cb\\u003e\\u0026c": "x\\u2028y",\n' +
        '    "com.b": "é",\n' +
        '    "org.example.z": "1"\n' +
        "  },\n" +
        '  "owner": ""\n' +
        "}",
    );
  });

  it("is MarshalIndent of the fields encoded one by one like Go, for any strings", () => {
    // MarshalIndent's layout around goJsonString's values (tested on its own below), field order and Go's key order kept.
    type Field = [string, string | Array<[string, string]>];
    const goIndent = (fields: Field[]): string =>
      "{\n" +
      fields
        .map(([k, v]) =>
          typeof v === "string"
            ? `  "${k}": ${v}`
            : `  "${k}": {\n${v.map(([mk, mv]) => `    ${goJsonString(mk)}: ${goJsonString(mv)}`).join(",\n")}\n  }`,
        )
        .join(",\n") +
      "\n}";
    const expected = (c: ContainerStateView & { annotations: Record<string, string> }): string => {
      const keys = Object.keys(c.annotations).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
      const fields: Field[] = [
        ["ociVersion", goJsonString(c.ociVersion)],
        ["id", goJsonString(c.id)],
        ["pid", String(c.pid)],
        ["status", goJsonString(c.status)],
        ["bundle", goJsonString(c.bundle)],
        ["rootfs", goJsonString(c.rootfs)],
        ["created", goJsonString(c.created as string)],
      ];
      if (keys.length) fields.push(["annotations", keys.map((k): [string, string] => [k, c.annotations[k] ?? ""])]);
      fields.push(["owner", '""']);
      return goIndent(fields);
    };
    const base = { ociVersion: "1.0.2", id: "c1", pid: 42, status: "created", bundle: "/b", rootfs: "/b/rootfs", created: "now", annotations: {} };
    const special = ['"', "\\", "\\b", "\\ud800", "<", ">", "&", "\u2028", "\u2029", "\b", "\f", "\n", "\r", "\t", "\x01", "\x1f", "\x7f", "é", "😀", "\ud800", "\udc00", "\udbff\udfff"];
    const cases = [
      base,
      // Keys JavaScript objects put first (array indices): Go sorts them as bytes.
      { ...base, annotations: { b: "1", "12": "2", "5": "3", "-a": "4", "007": "5" } },
      ...special.flatMap((ch) => [
        { ...base, bundle: `/x${ch}y` },
        { ...base, annotations: { [`k${ch}`]: "v", a: `v${ch}` } },
      ]),
    ];
    // And random ones: half from characters both encoders write alike, half from all of them.
    const plain = ["a", "Z", "0", "7", "/", " ", "-", ".", "é", "€", "😀", "\x7f"];
    let seed = 0x2f6b1d3;
    const rand = (n: number): number => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) % n;
    };
    for (let i = 0; i < 3000; i++) {
      const chars = i % 2 ? plain : [...plain, ...special];
      const str = (): string => Array.from({ length: rand(12) }, () => chars[rand(chars.length)]).join("");
      const annotations: Record<string, string> = {};
      for (let j = rand(4); j > 0; j--) annotations[rand(3) === 0 ? String(rand(200)) : str()] = str();
      cases.push({ ociVersion: str(), id: str(), pid: rand(99999), status: str(), bundle: str(), rootfs: str(), created: str(), annotations });
    }
    for (const c of cases) expect(formatState(c), JSON.stringify(c)).toBe(expected(c));
  });

  it("empty annotations are omitted", () => {
    expect(formatState({ ...C1, annotations: {} })).not.toContain("annotations");
  });

  it("created from a Date or nanoseconds is RFC3339Nano with trailing zeros trimmed", () => {
    expect(formatState({ ...C1, created: new Date("2026-11-22T11:42:31.880Z") })).toContain('"created": "2026-11-22T11:42:31.88Z"');
    expect(formatState({ ...C1, created: new Date("2026-11-22T11:42:31.000Z") })).toContain('"created": "2026-11-22T11:42:31Z"');
    expect(rfc3339Nano(1795347751885334047n)).toBe("2026-11-22T11:42:31.885334047Z");
    expect(rfc3339Nano(1795347751000000100n)).toBe("2026-11-22T11:42:31.0000001Z");
    expect(rfc3339Nano(0n)).toBe("1970-01-01T00:00:00Z");
  });
});

describe("Go JSON strings", () => {
  it("escapes like encoding/json (go1.19)", () => {
    expect(goJsonString('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(goJsonString("\n\r\t")).toBe('"\\n\\r\\t"');
    expect(goJsonString("\b\f\x01\x1f")).toBe('"\\u0008\\u000c\\u0001\\u001f"');
    expect(goJsonString("<>&")).toBe('"\\u003c\\u003e\\u0026"');
    expect(goJsonString("\u2028\u2029")).toBe('"\\u2028\\u2029"');
    expect(goJsonString("é😀\x7f")).toBe('"é😀\x7f"');
    expect(goJsonString("\ud800x")).toBe('"\\ufffdx"');
  });
});

describe("text/tabwriter", () => {
  it("matches Go for runc's settings", () => {
    expect(tabwrite("a\tbb\tc\naaaaaaaaaaaaaaaa\tb\tc\n", LIST_TABWRITER)).toBe(
      `a${" ".repeat(18)}bb${" ".repeat(10)}c\n${"a".repeat(16)}   b${" ".repeat(11)}c\n`,
    );
  });

  it("a line without tabs ends the aligned block", () => {
    const o = { minwidth: 0, tabwidth: 8, padding: 1, padchar: "." };
    expect(tabwrite("a\tb\nxxxx\tb\nplain\nyy\tb\n", o)).toBe("a....b\nxxxx.b\nplain\nyy.b\n");
  });

  it("columns form blocks of consecutive lines having that column", () => {
    const o = { minwidth: 0, tabwidth: 8, padding: 1, padchar: " " };
    expect(tabwrite("a\tb\tc\naa\tb\nx\tyyyy\tz\n", o)).toBe("a  b c\naa b\nx  yyyy z\n");
    expect(tabwrite("a\tb\tc\naa\tbbb\n", o)).toBe("a  b c\naa bbb\n");
  });

  it("text without a final newline is flushed as the last cell", () => {
    const o = { minwidth: 0, tabwidth: 8, padding: 2, padchar: " " };
    expect(tabwrite("k\tv\nkey\tvalue", o)).toBe("k    v\nkey  value");
  });

  it("align right and tab padding", () => {
    expect(tabwrite("a\tb\naaa\tb\n", { minwidth: 0, tabwidth: 8, padding: 1, padchar: " ", alignRight: true })).toBe("   ab\n aaab\n");
    expect(tabwrite("a\tb\naaaaaaaaa\tb\n", { minwidth: 0, tabwidth: 8, padding: 1, padchar: "\t" })).toBe("a\t\tb\naaaaaaaaa\tb\n");
  });
});

// `runc ps` output, captured: header + the container's process lines.
const PS_EF = [
  "UID        PID  PPID  C STIME TTY          TIME CMD",
  "root         1     0  0 11:26 ?        00:00:05 /process_api --firecracker-init",
  "root         2     0  0 11:26 ?        00:00:00 [kthreadd]",
  "root      5281     1  0 11:42 ?        00:00:00 sleep 100",
  "root      5282  5281  0 11:42 ?        00:00:00 sh -c 5281",
  "root     14504     1 10 11:47 ?        00:00:00 runc init",
  "",
].join("\n");

describe("ps", () => {
  it("table: header plus the lines whose PID column is a container pid (captured)", () => {
    expect(filterPsOutput(PS_EF, [5281])).toBe(
      "UID        PID  PPID  C STIME TTY          TIME CMD\nroot      5281     1  0 11:42 ?        00:00:00 sleep 100\n",
    );
    expect(filterPsOutput(PS_EF, [14504])).toBe(
      "UID        PID  PPID  C STIME TTY          TIME CMD\nroot     14504     1 10 11:47 ?        00:00:00 runc init\n",
    );
    expect(filterPsOutput(PS_EF, [5281, 5282])).toBe(
      "UID        PID  PPID  C STIME TTY          TIME CMD\nroot      5281     1  0 11:42 ?        00:00:00 sleep 100\nroot      5282  5281  0 11:42 ?        00:00:00 sh -c 5281\n",
    );
  });

  it("table for a stopped container: just the header (captured)", () => {
    expect(filterPsOutput(PS_EF, [])).toBe("UID        PID  PPID  C STIME TTY          TIME CMD\n");
  });

  it("uses the PID column wherever ps puts it (ps -o pid,comm, captured)", () => {
    expect(filterPsOutput("  PID COMMAND\n    1 init\n 5281 sleep\n", [5281])).toBe("  PID COMMAND\n 5281 sleep\n");
  });

  it("errors like runc", () => {
    expect(() => filterPsOutput("COMMAND\nsleep\n", [1])).toThrow("couldn't find PID field in ps output");
    expect(() => filterPsOutput("PID CMD\nabc x\n", [1])).toThrow('unable to parse pid: strconv.Atoi: parsing "abc": invalid syntax');
  });

  it("json: the pids, null when none (captured)", () => {
    expect(formatPsJson([5281])).toBe("[5281]\n");
    expect(formatPsJson([1, 2, 3])).toBe("[1,2,3]\n");
    expect(formatPsJson([])).toBe("null\n");
  });
});
