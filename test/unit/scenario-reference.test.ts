import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import * as havoc from "../../api/index.ts";
import { FaultSpec } from "../../faults/registry.ts";
import { examples, faultHelperNames, helperArguments } from "../../scenario/reference/reference-examples.ts";
import { referenceText } from "../../scenario/reference/reference-text.ts";
import { referenceSections } from "../../scenario/reference/render-reference.ts";
import { Scenario } from "../../scenario/scenario.ts";

/**
 * docs/scenario-reference.md is rendered from the schemas and their JSDoc (scenario/reference/): it must be what
 * the sources make now (`npm run docs:reference` writes it), describe every field, and hold examples that are
 * valid, a fault's helper call included.
 */
const root = join(import.meta.dirname, "../..");
const committed = readFileSync(join(root, "docs/scenario-reference.md"), "utf8");

describe("the scenario reference", () => {
  it("is current: rendering the sources gives the committed docs/scenario-reference.md (else run npm run docs:reference)", () => {
    expect(referenceText(root)).toBe(committed);
  });

  it("describes every field", () => {
    const undescribed = committed.split("\n").filter((line) => /^\| `[^`]+` \|/.test(line) && line.endsWith("|  |"));
    expect(undescribed).toEqual([]);
  });

  it("has an example for every part and every kind, each valid for its schema", () => {
    const sections = referenceSections();
    const unions = new Set(["ready-probe", "probes", "probe-check", "traffic", "faults", "toxic", "readback", "read-from", "slos", "slo-window"]);
    for (const section of sections) {
      if (unions.has(section.anchor)) continue;
      const example = examples[section.anchor];
      expect(example, `example for ${section.anchor}`).toBeDefined();
      const parsed = z.safeParse(section.schema, example!.value);
      expect(parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`), section.anchor).toEqual([]);
    }
    expect(Object.keys(examples).filter((anchor) => !sections.some((s) => s.anchor === anchor))).toEqual([]);
    // The example scenario is a whole one, cross-references included.
    expect(Scenario.safeParse(examples.scenario!.value).success).toBe(true);
  });

  it("has a helper in havoc for every fault kind, making exactly the example's object", () => {
    const kinds = FaultSpec.options.map((o) => o.shape.kind.value);
    expect(Object.keys(faultHelperNames).sort()).toEqual([...kinds].sort());
    for (const kind of kinds) {
      const helper = (havoc as unknown as Record<string, (...args: unknown[]) => unknown>)[faultHelperNames[kind]!];
      expect(typeof helper, `havoc.${faultHelperNames[kind]}`).toBe("function");
      const example = examples[`fault-${kind}`]!.value as Record<string, unknown>;
      const made = helper!(...helperArguments(example));
      expect(made, kind).toEqual(example);
      expect(FaultSpec.safeParse(made).success, kind).toBe(true);
    }
  });
});
