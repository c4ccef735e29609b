/** --pid-file, as runc writes it: the pid alone, put in place atomically (a temporary file beside it, renamed). */
import { renameSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";

export function writePidFile(path: string, pid: number): void {
  const abs = resolve(path);
  const tmp = join(dirname(abs), `.${basename(abs)}.tmp`);
  writeFileSync(tmp, String(pid), { mode: 0o644 });
  renameSync(tmp, abs);
}
