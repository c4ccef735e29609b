/**
 * Output for the CLI: synchronous writes to fd 1 and 2. process.stdout and
 * process.stderr are streams whose machinery costs milliseconds to load in
 * the compiled binary, for a few lines that must be out before we exit anyway.
 * Buffer is avoided too: its first use loads a module (~0.3 ms cold in Bun).
 */
import { writeSync } from "node:fs";

/** Bytes of `text` in UTF-8 (lone surrogates count as U+FFFD, as the encoders write them). */
export function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    } else n += 3;
  }
  return n;
}

function writeAll(fd: number, text: string): void {
  // Usually one write takes it all; only a short write needs the bytes.
  let off = 0;
  try {
    off = writeSync(fd, text);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EAGAIN") throw err;
  }
  if (off === utf8Length(text)) return;
  const buf = new TextEncoder().encode(text);
  while (off < buf.length) {
    try {
      off += writeSync(fd, buf, off);
    } catch (err) {
      // A non-blocking pipe from the caller: wait for room, as a blocking write would.
      if ((err as NodeJS.ErrnoException).code !== "EAGAIN") throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    }
  }
}

export const stdout = (text: string): void => writeAll(1, text);
export const stderr = (text: string): void => writeAll(2, text);
