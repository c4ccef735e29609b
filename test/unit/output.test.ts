import { execFileSync, spawn } from "node:child_process";
import { closeSync, constants, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tmpPrefix } from "../helpers/context.js";
import { writeAll } from "../../src/output.js";

/**
 * Open `fifo` for writing, non-blocking (as a caller may hand runts its
 * stdout), once a reader has it open: until then the open fails with ENXIO.
 */
async function openWhenRead(fifo: string, timeoutMs = 5_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENXIO" || Date.now() >= deadline) throw err;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("writeAll", () => {
  it("writes all of the text as UTF-8, lone surrogates as U+FFFD, however long", () => {
    const dir = mkdtempSync(tmpPrefix("output"));
    try {
      const samples = ["", "abc", "plain ASCII\n".repeat(300_000), "\x00\x7f", "é", "€", "😀", "a😀b", "\ud800", "\ud800x", "x\udc00", "\udbff\udfff", "\u07ff\u0800", "\uffff", "é😀".repeat(300_000)];
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

  it.each([
    ["UTF-8", "é😀 writeAll\n"],
    ["ASCII", "{\"id\": \"writeAll\"}\n"],
  ])("writes all of its %s text to a non-blocking pipe that is full (short writes, EAGAIN) until its reader drains it", async (_, line) => {
    // A regular file takes every write whole; a pipe takes what fits (64 KiB
    // here), then refuses (EAGAIN) until its reader makes room. This reader
    // opens the fifo at once (so that ours can open) but reads only later.
    const dir = mkdtempSync(tmpPrefix("output"));
    const fifo = join(dir, "fifo");
    const out = join(dir, "out");
    execFileSync("mkfifo", [fifo]);
    const reader = spawn("sh", ["-c", 'exec <"$1" >"$2"; sleep 0.3; exec cat', "sh", fifo, out], { stdio: "ignore" });
    const exited = new Promise<number | null>((resolve) => reader.once("exit", (code) => resolve(code)));
    let fd: number | undefined;
    try {
      // Pieces of 3000 lines (under 64 Ki characters: ASCII that short goes as a
      // string), 34 of them (1.6-1.9 MB): most land in a pipe that is nearly
      // full, a short write then EAGAIN until the reader drains it.
      const piece = line.repeat(3000);
      const text = piece.repeat(34);
      fd = await openWhenRead(fifo);
      for (let i = 0; i < 34; i++) writeAll(fd, piece);
      closeSync(fd);
      fd = undefined;
      expect(await exited).toBe(0);
      expect(readFileSync(out).equals(Buffer.from(text, "utf8"))).toBe(true);
    } finally {
      if (fd !== undefined) closeSync(fd);
      reader.kill("SIGKILL");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
