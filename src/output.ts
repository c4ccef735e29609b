/**
 * Output for the CLI: synchronous writes to fd 1 and 2. process.stdout and
 * process.stderr are streams whose machinery costs milliseconds to load in
 * the compiled binary, for a few lines that must be out before we exit anyway.
 * Buffer is avoided too: its first use loads a module (~0.3 ms cold in Bun).
 * ASCII text (the usual output: JSON, tables, messages) is written as the
 * string itself, whose length is then its byte count; anything else is
 * encoded once, natively. Measured on a cold `state`: the string written as
 * is 0.13M instructions less than encoding it first; counting UTF-8 bytes in
 * script cost more than either (~0.08M for ~500 characters); one regex test
 * costs next to nothing.
 */
import { writeSync } from "node:fs";
import { sleepSync } from "./sleep.js";

const NON_ASCII = /[^\x00-\x7f]/;
let encoder: TextEncoder | undefined;

/** Write all of `text` to `fd` as UTF-8 (lone surrogates as U+FFFD). */
export function writeAll(fd: number, text: string): void {
  // Long text is encoded once too: a full non-blocking pipe retries, and each
  // write of a string encodes all of what is left.
  const bytes = text.length > 65536 || NON_ASCII.test(text) ? utf8(text) : undefined;
  const total = bytes ? bytes.length : text.length;
  let off = 0;
  while (off < total) {
    try {
      off += bytes ? writeSync(fd, bytes, off) : writeSync(fd, off === 0 ? text : text.slice(off));
    } catch (err) {
      // A non-blocking pipe from the caller: wait for room, as a blocking write would.
      if ((err as NodeJS.ErrnoException).code !== "EAGAIN") throw err;
      sleepSync(1);
    }
  }
}

/**
 * A function of its own, as sleepSync is: JavaScriptCore sets up the globals
 * a function names (TextEncoder here) when it first runs that function, taken
 * branch or not; in writeAll they cost every cold `state` ~0.11M instructions.
 */
function utf8(text: string): Uint8Array {
  return (encoder ??= new TextEncoder()).encode(text);
}

export const stdout = (text: string): void => writeAll(1, text);
export const stderr = (text: string): void => writeAll(2, text);
