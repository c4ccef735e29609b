/** `runts update`: runc's flags into LinuxResources, sizes as docker/go-units reads them. */
import { describe, expect, it } from "vitest";
import { parseArgs, updateArgs } from "../../src/cli/args.js";
import { ramInBytes, resourcesFromFlags } from "../../src/commands/update.js";

const flags = (...argv: string[]) => resourcesFromFlags(updateArgs(parseArgs(["update", ...argv, "c1"])));

describe("update flags", () => {
  it("reads sizes with binary multiples, as RAMInBytes", () => {
    expect(ramInBytes("4096")).toBe(4096);
    expect(ramInBytes("512m")).toBe(512 << 20);
    expect(ramInBytes("1.5GiB")).toBe(1.5 * 2 ** 30);
    expect(ramInBytes("100 KB")).toBe(102400);
    expect(() => ramInBytes("lots")).toThrow("invalid size: 'lots'");
    expect(() => ramInBytes("-5m")).toThrow(/invalid size/);
  });

  it("maps runc's flags; 0 means not set, -1 unlimited", () => {
    expect(
      flags("--memory", "64m", "--memory-swap", "-1", "--memory-reservation", "32m", "--pids-limit", "20", "--cpu-quota", "30000", "--cpu-period", "60000", "--cpu-share", "512", "--cpuset-cpus", "0-1", "--blkio-weight", "300"),
    ).toEqual({
      memory: { limit: 64 << 20, swap: -1, reservation: 32 << 20 },
      cpu: { cpus: "0-1", period: 60000, shares: 512, quota: 30000 },
      blockIO: { weight: 300 },
      pids: { limit: 20 },
    });
    expect(flags("--memory", "0", "--cpu-quota", "0")).toEqual({ memory: { limit: 0 }, cpu: { quota: 0 }, blockIO: {}, pids: {} });
    expect(flags("--pids-limit", "-1")).toMatchObject({ pids: { limit: -1 } });
  });

  it("refuses bad numbers and Intel RDT with runc's words", () => {
    expect(() => flags("--cpu-share", "x")).toThrow('invalid value for cpu-share: strconv.ParseUint: parsing "x": invalid syntax');
    expect(() => flags("--cpu-quota", "1.5")).toThrow(/invalid value for cpu-quota: strconv.ParseInt/);
    expect(() => flags("--memory", "big")).toThrow("invalid value for memory: invalid size: 'big'");
    expect(() => flags("--l3-cache-schema", "L3:0=ff")).toThrow("Intel RDT/CAT: l3 cache schema is not enabled");
  });
});
