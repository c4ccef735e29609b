/**
 * Output for the CLI: synchronous writes to fd 1 and 2. process.stdout and
 * process.stderr are streams whose machinery costs milliseconds to load in
 * the compiled binary, for a few lines that must be out before we exit anyway.
 * Buffer is avoided too: its first use loads a module (~0.3 ms cold in Bun).
 * The text is encoded once, natively: counting its UTF-8 bytes in script,
 * to skip the encoding when one write took it all, cost a cold `state` more
 * (~0.08M instructions for its ~500 characters).
 */
import { writeSync } from "node:fs";

const encoder = new TextEncoder();

/** Write all of `text` to `fd` as UTF-8 (lone surrogates as U+FFFD). */
export function writeAll(fd: number, text: string): void {
  const bytes = encoder.encode(text);
  let off = 0;
  while (off < bytes.length) {
    try {
      off += writeSync(fd, bytes, off);
    } catch (err) {
      // A non-blocking pipe from the caller: wait for room, as a blocking write would.
      if ((err as NodeJS.ErrnoException).code !== "EAGAIN") throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    }
  }
}

export const stdout = (text: string): void => writeAll(1, text);
export const stderr = (text: string): void => writeAll(2, text);
