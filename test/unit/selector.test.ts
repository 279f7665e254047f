import { describe, expect, it } from "vitest";
import { createRng } from "../../core/rng.ts";
import { Selector, selectNodes, selectionCount } from "../../core/selector.ts";

const nodes = ["db", "app-1", "app-2", "app-3", "app-4", "lb"].map((name) => ({ name, role: name.startsWith("app") ? "app" : name }));
const pick = (input: unknown, seed = 1) => selectNodes(Selector.parse(input), nodes, createRng(seed));

describe("selectors", () => {
  it("counts minority and majority strictly", () => {
    const s = (mode: string) => Selector.parse({ mode });
    expect([1, 2, 3, 4, 5].map((n) => selectionCount(s("minority"), n))).toEqual([1, 1, 1, 1, 2]);
    expect([1, 2, 3, 4, 5].map((n) => selectionCount(s("majority"), n))).toEqual([1, 2, 2, 3, 3]);
  });

  it("draws from the role pool and keeps topology order", () => {
    expect(pick({ role: "app", mode: "all" })).toEqual(["app-1", "app-2", "app-3", "app-4"]);
    const two = pick({ role: "app", mode: "percent", percent: 50 });
    expect(two).toHaveLength(2);
    expect(two.every((n) => n.startsWith("app-"))).toBe(true);
    expect(two).toEqual([...two].sort());
  });

  it("uses fixed names as the pool", () => {
    expect(pick({ names: ["lb", "db"], mode: "all" })).toEqual(["db", "lb"]);
  });

  it("takes every named node when names come without a mode, one node of a role without a mode", () => {
    expect(Selector.parse({ names: ["lb", "db"] }).mode).toBe("all");
    for (const seed of [1, 2, 3, 4]) expect(pick({ names: ["lb", "db"] }, seed)).toEqual(["db", "lb"]);
    expect(pick({ names: ["lb", "db"], mode: "one" })).toHaveLength(1);
    expect(Selector.parse({ role: "app" }).mode).toBe("one");
    expect(Selector.parse({}).mode).toBe("one");
  });

  it("refuses a percent without mode percent, and names with a role unless the mode is primary", () => {
    expect(Selector.safeParse({ role: "app", percent: 50 }).success).toBe(false);
    expect(Selector.safeParse({ names: ["db"], role: "db" }).success).toBe(false);
    expect(Selector.safeParse({ names: ["db"], role: "db", mode: "primary" }).success).toBe(true);
  });

  it("needs a percent for percent mode", () => {
    expect(Selector.safeParse({ mode: "percent" }).success).toBe(false);
  });

  it("is deterministic per seed", () => {
    expect(pick({ role: "app" }, 7)).toEqual(pick({ role: "app" }, 7));
  });
});

describe("primary selector", () => {
  it("needs a role and keeps the whole role as candidates in the plan", () => {
    expect(Selector.safeParse({ mode: "primary" }).success).toBe(false);
    expect(pick({ role: "app", mode: "primary" })).toEqual(["app-1", "app-2", "app-3", "app-4"]);
  });
});
