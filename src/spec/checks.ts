/**
 * The config schema's own refinements, as plain named functions that close
 * over nothing. schema.ts hands them to zod; the generated fast parser
 * (parse-fast.generated.js, from scripts/gen-spec-parser.ts) calls the same
 * functions, which is why they cannot be inline lambdas with captured bounds.
 *
 * Numbers outside the safe-integer range are accepted as JSON.parse produced
 * them (a uint64 such as 18446744073709551615 arrives as 2^64, already
 * rounded), so the bounds of the 64-bit types are the rounded doubles 2^63/2^64.
 */
const U64_MAX = 2 ** 64; // 18446744073709551615 as a double
const I64_MAX = 2 ** 63; // 9223372036854775807 as a double

export const isUint16 = (n: number): boolean => Number.isInteger(n) && n >= 0 && n <= 0xffff;
export const isUint32 = (n: number): boolean => Number.isInteger(n) && n >= 0 && n <= 0xffffffff;
export const isPositiveUint32 = (n: number): boolean => Number.isInteger(n) && n >= 1 && n <= 0xffffffff;
export const isUint64 = (n: number): boolean => Number.isInteger(n) && n >= 0 && n <= U64_MAX;
export const isInt32 = (n: number): boolean => Number.isInteger(n) && n >= -0x80000000 && n <= 0x7fffffff;
export const isInt64 = (n: number): boolean => Number.isInteger(n) && n >= -I64_MAX && n <= I64_MAX;
export const isInteger = (n: number): boolean => Number.isInteger(n);
export const isPositiveInteger = (n: number): boolean => Number.isInteger(n) && n >= 1;
export const isAbsolutePath = (s: string): boolean => s.startsWith("/");
