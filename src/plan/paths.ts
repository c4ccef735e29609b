import { posix } from "node:path";

/** Normalise a container path: absolute, no "." or ".." left (".." cannot climb above "/"). */
export function cleanPath(p: string): string {
  return posix.normalize(posix.join("/", p));
}
