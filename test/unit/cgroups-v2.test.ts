import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { tmpPrefix } from "../helpers/context.js";
import type { CgroupState } from "../../src/cgroups/index.js";
import { cgroupManagerFromState, createCgroupManager } from "../../src/cgroups/index.js";
import type { Scratch } from "../../src/cgroups/scratch.js";
import { destroyOnScratch, makeScratch, subdirNames } from "../../src/cgroups/scratch.js";

let scratch: Scratch | undefined;
afterEach(() => {
  scratch?.cleanup();
  scratch = undefined;
});

function setup(own?: string): Scratch {
  scratch = makeScratch("v2", { prefix: tmpPrefix("cgroups"), ...(own === undefined ? {} : { own: { unified: own } }) });
  return scratch;
}

describe("v2 manager on a scratch tree", () => {
  it("creates one directory in the unified hierarchy", () => {
    const s = setup();
    const m = createCgroupManager({ id: "c1", cgroupsPath: "/runts/c1", env: s.env });
    expect(m.mode).toBe("v2");
    m.create();
    expect(existsSync(`${s.root}/runts/c1`)).toBe(true);
    expect(m.toState()).toEqual({
      version: 1,
      mode: "v2",
      root: s.root,
      cgroupsPath: "/runts/c1",
      hierarchies: [
        {
          controllers: [],
          unified: true,
          mountpoint: s.root,
          path: "/runts/c1",
          dir: `${s.root}/runts/c1`,
          base: s.root,
          created: [`${s.root}/runts`, `${s.root}/runts/c1`],
        },
      ],
    } satisfies CgroupState);
  });

  it("joins and lists pids recursively", () => {
    const s = setup();
    const m = createCgroupManager({ id: "c1", cgroupsPath: "/runts/c1", env: s.env });
    m.create();
    m.join(10);
    m.join(11);
    expect(readFileSync(`${s.root}/runts/c1/cgroup.procs`, "utf8")).toBe("10\n11\n");
    mkdirSync(`${s.root}/runts/c1/init.scope`);
    writeFileSync(`${s.root}/runts/c1/init.scope/cgroup.procs`, "12\n");
    expect(m.pids()).toEqual([10, 11, 12]);
  });

  it("destroys only what it created", () => {
    const s = setup();
    mkdirSync(`${s.root}/runts`);
    const m = createCgroupManager({ id: "c1", cgroupsPath: "/runts/c1", env: s.env });
    m.create();
    m.join(1);
    mkdirSync(`${s.root}/runts/c1/sub`);
    destroyOnScratch(m);
    expect(subdirNames(s.root)).toEqual(["runts"]);
    expect(subdirNames(`${s.root}/runts`)).toEqual([]);
    expect(m.exists()).toBe(false);
  });

  it("places a relative path under the parent of the runtime's own cgroup (as runc: that one has processes) and never removes it", () => {
    const s = setup("/user.slice/session-1.scope");
    const m = createCgroupManager({ id: "c1", cgroupsPath: "runts/c1", env: s.env });
    m.create();
    const [h] = m.toState().hierarchies;
    expect(h).toMatchObject({
      path: "/user.slice/runts/c1",
      dir: `${s.root}/user.slice/runts/c1`,
      base: `${s.root}/user.slice`,
      created: [`${s.root}/user.slice/runts`, `${s.root}/user.slice/runts/c1`],
    });
    destroyOnScratch(cgroupManagerFromState(JSON.parse(JSON.stringify(m.toState())) as CgroupState));
    expect(subdirNames(`${s.root}/user.slice`)).toEqual(["session-1.scope"]);
  });

  it("defaults to <id> beside the runtime's own cgroup", () => {
    const s = setup("/user.slice/session-1.scope");
    const m = createCgroupManager({ id: "c1", env: s.env });
    expect(m.toState().cgroupsPath).toBe("c1");
    m.create();
    expect(m.toState().hierarchies[0]).toMatchObject({ path: "/user.slice/c1", dir: `${s.root}/user.slice/c1`, created: [`${s.root}/user.slice/c1`] });
    destroyOnScratch(m);
    expect(subdirNames(`${s.root}/user.slice`)).toEqual(["session-1.scope"]);
  });

  it("defaults to <id> under the root when the runtime's own cgroup is the root", () => {
    const r = setup("/");
    const top = createCgroupManager({ id: "c2", env: r.env });
    expect(top.toState().hierarchies[0]).toMatchObject({ path: "/c2", dir: `${r.root}/c2`, base: r.root });
  });

  it("refuses escapes and the systemd driver", () => {
    const s = setup("/a");
    expect(() => createCgroupManager({ id: "c1", cgroupsPath: "../b", env: s.env })).toThrow(/escapes/);
    expect(() => createCgroupManager({ id: "c1", cgroupsPath: "/../b", env: s.env })).toThrow(/escapes/);
    expect(() => createCgroupManager({ id: "c1", systemd: true, env: s.env })).toThrow(
      /systemd cgroup driver is not supported/,
    );
  });
});
