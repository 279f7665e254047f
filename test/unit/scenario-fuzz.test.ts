import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InputError } from "../../core/errors.ts";
import { parseScenario } from "../../scenario/load-scenario.ts";
import demo from "../../scenarios/trackr/app-node-crash.ts";

type Json = unknown;

/** Every path to a value inside `value` (objects and arrays), root excluded. */
function paths(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== "object") return [];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value as Record<string, Json>);
  return entries.flatMap(([key, child]) => [[...prefix, key], ...paths(child, [...prefix, key])]);
}

function setAt(root: Json, path: (string | number)[], make: (old: Json) => Json | typeof REMOVE): Json {
  const copy = structuredClone(root) as Record<string | number, Json>;
  let node = copy as Record<string | number, Json>;
  for (const key of path.slice(0, -1)) {
    // An earlier mutation may have replaced a parent with a scalar: then this mutation does nothing.
    if (node === null || typeof node !== "object") return copy;
    node = node[key] as Record<string | number, Json>;
  }
  if (node === null || typeof node !== "object") return copy;
  const last = path[path.length - 1]!;
  const next = make(node[last]);
  if (next === REMOVE) {
    if (Array.isArray(node)) node.splice(Number(last), 1);
    else delete node[last];
  } else node[last] = next;
  return copy;
}
const REMOVE = Symbol("remove");

const allPaths = paths(demo);
const wrongValue = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  fc.integer({ min: -1_000_000, max: 1_000_000 }),
  fc.double({ noNaN: false }),
  fc.string({ maxLength: 12 }),
  fc.boolean(),
  fc.constant([]),
  fc.constant({}),
  fc.constantFrom("-5s", "20 seconds", "1e999", "NaN", "app-9", "meteor", "${secret:nope}", "../../etc/passwd"),
);
const mutation = fc.oneof(
  fc.record({ path: fc.constantFrom(...allPaths), value: wrongValue }).map(({ path, value }) => (d: Json) => setAt(d, path, () => value)),
  fc.constantFrom(...allPaths).map((path) => (d: Json) => setAt(d, path, () => REMOVE)),
  fc.record({ path: fc.constantFrom(...allPaths.filter((p) => typeof p[p.length - 1] === "string")), key: fc.string({ minLength: 1, maxLength: 8 }) }).map(
    ({ path, key }) =>
      (d: Json) =>
        setAt(d, path.slice(0, -1).length ? path.slice(0, -1) : path, (old) => (old && typeof old === "object" && !Array.isArray(old) ? { ...old, [`x${key}`]: 1 } : old)),
  ),
);

describe("malformed scenarios (property-based)", () => {
  it("every malformed scenario is either valid or refused with a clean InputError naming the file and a path", () => {
    let refused = 0;
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (mutations) => {
        const data = mutations.reduce((d, m) => m(d), structuredClone(demo) as Json);
        try {
          parseScenario(data, "scenarios/fuzz.ts");
          return true;
        } catch (error) {
          refused++;
          expect(error).toBeInstanceOf(InputError);
          const message = (error as Error).message;
          expect(message).toMatch(/^scenarios\/fuzz\.ts: invalid scenario\n  at /);
          expect(message).not.toMatch(/\n\s+at .*\.(ts|js):\d+/);
          // Every problem on its own line, with its path; none left at zod's bare "Invalid input".
          for (const line of message.split("\n").slice(1)) {
            // The path has no blank outside a quoted key (`env["x y"]`), then ": " and the message.
            expect(line).toMatch(/^ {2}at (?:[^\s"]|"(?:[^"\\]|\\.)*")+: \S/);
            expect(line).not.toMatch(/: Invalid input$/);
          }
          return true;
        }
      }),
      { numRuns: 500, seed: 20261122 },
    );
    // Most random damage must be caught, not silently accepted.
    expect(refused).toBeGreaterThan(400);
  });
});
