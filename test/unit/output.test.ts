import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tmpPrefix } from "../helpers/context.js";
import { writeAll } from "../../src/output.js";

describe("writeAll", () => {
  it("writes all of the text as UTF-8, lone surrogates as U+FFFD, however long", () => {
    const dir = mkdtempSync(tmpPrefix("output"));
    try {
      const samples = ["", "abc", "é", "€", "😀", "a😀b", "\ud800", "\ud800x", "x\udc00", "\udbff\udfff", "\u07ff\u0800", "\uffff", "é😀".repeat(300_000)];
      for (const s of samples) {
        const file = join(dir, "out");
        const fd = openSync(file, "w");
        try {
          writeAll(fd, s);
        } finally {
          closeSync(fd);
        }
        expect(readFileSync(file).equals(Buffer.from(s, "utf8")), JSON.stringify(s.slice(0, 10))).toBe(true);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
