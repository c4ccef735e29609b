/**
 * ffi-rs's native addon, loaded directly rather than through ffi-rs's
 * index.js. That file picks the addon for the platform on every load, and on
 * Linux asks process.report.getReport() whether libc is musl: ~0.3 ms of a
 * cold start, for an answer that is fixed here (runts is built for glibc,
 * x86_64 and arm64). Both addons are npm packages of ffi-rs (its optional
 * dependencies, at the same version).
 */
import type * as FfiRs from "ffi-rs";

export function ffiBinding(): typeof FfiRs {
  if (typeof require === "function") {
    // Bun (the compiled runts): require() of a literal is resolved at build
    // time and the addon embedded in the executable.
    return process.arch === "arm64"
      ? (require("@yuuang/ffi-rs-linux-arm64-gnu") as typeof FfiRs)
      : (require("@yuuang/ffi-rs-linux-x64-gnu") as typeof FfiRs);
  }
  // Node (the tests): ES modules have no require of their own.
  const req = process.getBuiltinModule("node:module").createRequire(import.meta.url);
  return req(process.arch === "arm64" ? "@yuuang/ffi-rs-linux-arm64-gnu" : "@yuuang/ffi-rs-linux-x64-gnu") as typeof FfiRs;
}
