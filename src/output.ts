/**
 * Output for the CLI: synchronous writes to fd 1 and 2. process.stdout and
 * process.stderr are streams whose machinery costs milliseconds to load in
 * the compiled binary, for a few lines that must be out before we exit anyway.
 */
import { writeSync } from "node:fs";

function writeAll(fd: number, text: string): void {
  // Usually one write takes it all; only a short write needs the bytes.
  let off = 0;
  try {
    off = writeSync(fd, text);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EAGAIN") throw err;
  }
  if (off === Buffer.byteLength(text, "utf8")) return;
  const buf = Buffer.from(text, "utf8");
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
