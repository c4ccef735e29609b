import { describe, expect, it } from "vitest";
import { utf8Length } from "../../src/output.js";

describe("utf8Length", () => {
  it("counts the bytes the UTF-8 encoders write", () => {
    const samples = ["", "abc", "é", "€", "😀", "a😀b", "\ud800", "\ud800x", "x\udc00", "\udbff\udfff", "\u07ff\u0800", "\uffff"];
    for (const s of samples) {
      expect(utf8Length(s), JSON.stringify(s)).toBe(Buffer.byteLength(s, "utf8"));
      expect(utf8Length(s), JSON.stringify(s)).toBe(new TextEncoder().encode(s).length);
    }
  });
});
