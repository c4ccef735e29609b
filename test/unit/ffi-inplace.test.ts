/**
 * libc.ts keeps its scratch memory in an ArrayBuffer and gives libc that
 * memory's address: it relies on ffi-rs handing a U8Array parameter to the
 * callee in place (no copy), at an address that stays the same from call to
 * call. Should a new ffi-rs copy array parameters, this fails before anything
 * writes through a stale address.
 */
import { describe, expect, it } from "vitest";
import { ffiBinding } from "../../src/sys/ffi-binding.js";

describe("ffi-rs array parameters", () => {
  it("hand the ArrayBuffer's own memory to libc, at one address, written in place", () => {
    const f = ffiBinding();
    f.open({ library: "libc", path: "libc.so.6" });
    const t = f.DataType;
    const bytes = new Uint8Array(new ArrayBuffer(4096));
    const tag = (f.FFITypeTag as unknown as Record<string, number | undefined>)["Array"];
    expect(tag).toBeDefined();
    const array = { ffiTypeTag: tag as unknown as (typeof f.FFITypeTag)[keyof typeof f.FFITypeTag], type: t.U8Array, length: bytes.length };
    const memset = (v: number, n: number) =>
      f.load({ library: "libc", funcName: "memset", retType: t.I64, paramsType: [array, t.I32, t.U64], paramsValue: [bytes, v, n], freeResultMemory: false }) as number;
    const a = memset(7, 3);
    expect([...bytes.subarray(0, 4)]).toEqual([7, 7, 7, 0]);
    expect(memset(0, 0)).toBe(a);
    // Written through the bare address, as posix_spawn's arguments and pollfds are.
    f.load({ library: "libc", funcName: "memset", retType: t.I64, paramsType: [t.BigInt, t.I32, t.U64], paramsValue: [BigInt(a) + 8n, 5, 2], freeResultMemory: false });
    expect([...bytes.subarray(8, 11)]).toEqual([5, 5, 0]);
  });
});
