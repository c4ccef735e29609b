/**
 * Is `p` an absolute path that path.resolve would return unchanged: no "//",
 * no "." or ".." component, no trailing slash (but "/")? Without node:path,
 * which `state` does not load.
 */
export function isCleanAbsolute(p: string): boolean {
  if (!p.startsWith("/")) return false;
  if (p === "/") return true;
  if (p.endsWith("/") || p.includes("//")) return false;
  return !p.includes("/./") && !p.includes("/../") && !p.endsWith("/.") && !p.endsWith("/..");
}
