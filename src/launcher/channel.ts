/**
 * The message channel with runts-init: a stream socket carrying messages of
 * a 32-bit little-endian length and NUL-terminated fields. Synchronous on
 * purpose: runts has nothing else to do while the container is set up.
 */
import { closeSync, readSync, writeSync } from "node:fs";
import { dupAbove, socketpair } from "../sys/libc.js";

/**
 * A socketpair for runts-init: our end, and theirs numbered anything but
 * `childFd` (dup2 of a descriptor onto its own number keeps close-on-exec).
 */
export function shimSocketpair(childFd: number): { ours: number; theirs: number } {
  const [ours, pair] = socketpair();
  if (pair !== childFd) return { ours, theirs: pair };
  const theirs = dupAbove(pair, childFd + 1);
  closeSync(pair);
  return { ours, theirs };
}

/*
 * Uint8Array, DataView and TextEncoder/TextDecoder rather than Buffer: a
 * create uses each only a few times, in a cold process, where every Buffer
 * method is compiled on its first call.
 */
const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();

export class Channel {
  constructor(readonly fd: number) {}

  private readExact(n: number): Uint8Array | undefined {
    const buf = new Uint8Array(n);
    let got = 0;
    while (got < n) {
      let r: number;
      try {
        r = readSync(this.fd, buf, got, n - got, null);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === "EAGAIN" || code === "EINTR") continue;
        if (code === "ECONNRESET") return undefined;
        throw err;
      }
      if (r === 0) return undefined;
      got += r;
    }
    return buf;
  }

  /** Next message as its fields, or undefined when the other side is gone. */
  read(): string[] | undefined {
    const head = this.readExact(4);
    if (!head) return undefined;
    const len = new DataView(head.buffer).getUint32(0, true);
    const body = len ? this.readExact(len) : new Uint8Array(0);
    if (!body) return undefined;
    const fields = utf8Decoder.decode(body).split("\0");
    fields.pop(); // every field ends in NUL
    return fields;
  }

  write(data: Uint8Array): void {
    let off = 0;
    while (off < data.length) off += writeSync(this.fd, data, off);
  }

  send(...fields: string[]): void {
    let text = "";
    for (const f of fields) text += `${f}\0`;
    const body = utf8Encoder.encode(text);
    const msg = new Uint8Array(4 + body.length);
    new DataView(msg.buffer).setUint32(0, body.length, true);
    msg.set(body, 4);
    this.write(msg);
  }
}
