import { z } from "zod";
import { durationFields, formatDuration } from "../../core/duration.ts";
import { ProbeCheck, ProbeSettings, ProbeSpec } from "../../core/probe-spec.ts";
import { Selector } from "../../core/selector.ts";
import { DataVolume, ImageBuild, LinkSpec, NodeSpec, ReadyProbe, Topology } from "../../core/topology.ts";
import { ReadFrom } from "../../env/readback/readback-fields.ts";
import { Readback } from "../../env/readback/registry.ts";
import { scheduled } from "../../faults/fault-fields.ts";
import { Toxic } from "../../faults/link-toxic.ts";
import { StepCondition } from "../../faults/step-condition.ts";
import { FaultSpec } from "../../faults/registry.ts";
import { sloBase } from "../../judge/slos/slo-fields.ts";
import { SloSpec, SloWindow } from "../../judge/slo-kinds.ts";
import { TrafficTarget, trafficBaseFields } from "../../load/traffic/common.ts";
import { TrafficClass } from "../../load/traffic/registry.ts";
import { readbackCommon } from "../../env/readback/readback-fields.ts";
import { ComposeNodeOverrides, ComposeTopology } from "../compose/compose-topology-spec.ts";
import { Gate, RandomFaults, SafetyStop, Scenario } from "../scenario.ts";
import { FaultGenerator } from "../fault-generator.ts";
import type { DocEntry, JsDocIndex } from "./jsdoc-index.ts";
import { asCode, examples, faultHelpers, undocumented, type Example } from "./reference-examples.ts";

/**
 * docs/scenario-reference.md, rendered from the schemas: every field of a scenario with its type, unit, default
 * and description (the field's JSDoc in the source, jsdoc-index.ts), and an example of each part and kind (checked
 * against its schema by test/unit/scenario-reference.test.ts, which also fails when the committed file is stale).
 * Write it with `npm run docs:reference`.
 */

type Schema = z.core.$ZodType;

/** A part of the reference: one object schema (or a union of kinds) and where its comments are. */
interface Section {
  anchor: string;
  title: string;
  schema: Schema;
  /** Keys of jsdoc-index.ts to read comments from, first found wins per field. */
  docs: string[];
  intro?: string;
  /** Fields shared by every kind of its union: listed once in the union's section, not in each kind's table. */
  common?: Record<string, Schema>;
  /** The union section a kind belongs to. */
  parent?: string;
}

/** Named schemas: a field whose schema is one of these links to its section instead of describing it inline. */
const named: [Schema, string][] = [
  [Topology, "topology"],
  [NodeSpec, "node"],
  [ImageBuild, "image-build"],
  [DataVolume, "data-volume"],
  [ReadyProbe, "ready-probe"],
  [LinkSpec, "link"],
  [ProbeSpec, "probes"],
  [ProbeCheck, "probe-check"],
  [ProbeSettings, "probe-settings"],
  [Selector, "selector"],
  [TrafficClass, "traffic"],
  [TrafficTarget, "traffic-target"],
  [FaultSpec, "faults"],
  [Toxic, "toxic"],
  [SloSpec, "slos"],
  [SloWindow, "slo-window"],
  [Readback, "readback"],
  [ReadFrom, "read-from"],
  [Gate, "gate"],
  [RandomFaults, "random-faults"],
  [FaultGenerator, "generator"],
  [SafetyStop, "safety"],
  [StepCondition, "step-when"],
  [ComposeTopology, "compose-topology"],
  [ComposeNodeOverrides, "compose-node"],
];

export function renderScenarioReference(index: JsDocIndex): string {
  const out: string[] = [
    "# Scenario reference",
    "",
    "<!-- Generated from the schemas by `npm run docs:reference` (scenario/reference/); test/unit/scenario-reference.test.ts fails when this file is stale. Edit the JSDoc of a field, not this file. -->",
    "",
    "Every field a scenario file may hold, with its type, unit, default and what it does; each part and each kind with an example. Start with [your first scenario](first-scenario.md); `havoc check <file>` validates a file against exactly these schemas.",
    "",
    "**Units.** A *duration* is a string: `\"500ms\"`, `\"20s\"`, `\"2m\"`, `\"1m30s\"`, `\"1h\"` (a bare number is refused: `10` could be seconds or milliseconds; a computed one is written `` `${ms}ms` ``). A field whose name ends in `Ms` takes *milliseconds* as a number (or a duration string). Percentages are 0 to 100. Times of faults and SLO windows count from the start of traffic.",
    "",
    "## Contents",
    "",
  ];
  const sections = allSections();
  for (const s of sections) out.push(`- [${s.title}](#${s.anchor})`);
  for (const s of sections) out.push("", ...renderSection(s, index));
  return `${out.join("\n")}\n`;
}

/** Every section of the reference, in order: its anchor, title and schema (for the test of the examples). */
export function referenceSections(): readonly Pick<Section, "anchor" | "title" | "schema">[] {
  return allSections();
}

function allSections(): Section[] {
  const kinds = (union: Schema, folder: string, key: string, prefix: string, what: string, common: Record<string, Schema> | undefined): Section[] =>
    optionsOf(union).map((option) => {
      const value = discriminator(option, key)!;
      const parent = named.find(([s]) => s === union)?.[1];
      return { anchor: `${prefix}-${value}`, title: `${what} \`${key}: "${value}"\``, schema: option, docs: [`${folder}:${key}=${value}`], ...(common ? { common } : {}), ...(parent ? { parent } : {}) };
    });
  return [
    { anchor: "scenario", title: "Scenario (the file's default export)", schema: Scenario, docs: ["Scenario"] },
    { anchor: "topology", title: "topology", schema: Topology, docs: ["Topology"] },
    { anchor: "node", title: "topology.nodes[]", schema: NodeSpec, docs: ["NodeSpec"] },
    { anchor: "image-build", title: "node build", schema: ImageBuild, docs: ["ImageBuild"] },
    { anchor: "data-volume", title: "node dataVolume", schema: DataVolume, docs: ["DataVolume"] },
    { anchor: "ready-probe", title: "node ready", schema: ReadyProbe, docs: [], intro: "How the harness decides a node is ready, by `kind`:" },
    ...kinds(ReadyProbe, "core/topology.ts", "kind", "ready", "ready", undefined),
    { anchor: "link", title: "topology.links[]", schema: LinkSpec, docs: ["LinkSpec"] },
    { anchor: "probes", title: "topology.probes[]", schema: ProbeSpec, docs: [], intro: "The system's own signals, sampled while traffic runs, by `kind`:" },
    ...kinds(ProbeSpec, "core/probe-spec.ts", "kind", "probe", "probe", undefined),
    { anchor: "probe-check", title: "probe check", schema: ProbeCheck, docs: [], intro: "One check of one node, by `kind`:" },
    ...kinds(ProbeCheck, "core/probe-spec.ts", "kind", "probe-check", "probe check", undefined),
    { anchor: "probe-settings", title: "topology.probeSettings", schema: ProbeSettings, docs: ["ProbeSettings"] },
    { anchor: "compose-topology", title: "topology from a compose file", schema: ComposeTopology, docs: ["ComposeTopology"] },
    { anchor: "compose-node", title: "compose topology nodes.<service>", schema: ComposeNodeOverrides, docs: ["ComposeNodeOverrides"] },
    { anchor: "traffic", title: "traffic[]", schema: TrafficClass, docs: ["trafficBaseFields"], intro: "A traffic class, by `script`. Fields every class has:", common: trafficBaseFields },
    ...kinds(TrafficClass, "load/traffic", "script", "traffic", "traffic", trafficBaseFields),
    { anchor: "traffic-target", title: "traffic target", schema: TrafficTarget, docs: ["TrafficTarget"] },
    { anchor: "faults", title: "faults[]", schema: FaultSpec, docs: ["scheduled"], intro: "A fault, by `kind`. Fields every fault has:", common: scheduled },
    ...kinds(FaultSpec, "faults", "kind", "fault", "fault", scheduled),
    { anchor: "toxic", title: "link-toxic toxic", schema: Toxic, docs: [], intro: "A toxiproxy toxic, by `type`:" },
    ...kinds(Toxic, "faults/link-toxic.ts", "type", "toxic", "toxic", undefined),
    { anchor: "selector", title: "fault target (selector)", schema: Selector, docs: ["Selector"] },
    { anchor: "random-faults", title: "randomFaults", schema: RandomFaults, docs: ["RandomFaults"] },
    {
      anchor: "generator",
      title: "faultGenerator",
      schema: FaultGenerator,
      docs: [],
      intro:
        "A seeded fault generator (docs/explore.md): `mix` is a list of `{ weight, fault }` where `fault` is a [fault](#faults) without `id`, `at` and `for` (the generator draws them). Draws come every `staggerMs` on average (exponential), each fault lasts a uniform draw in `durationMs`, at most `maxConcurrent` are active at once, none before `phases.quietStartMs` and all healed by `phases.chaosEndMs` (which must leave the fault-free tail). `limits.maxDownFraction` (\"minority\" or a fraction) bounds the nodes down at once, per role and overall; `limits.protectRoles` are never targets; `maxFaults` caps the count. A spec that cannot be satisfied on the topology is refused before anything starts, at its field.",
    },
    { anchor: "safety", title: "safety[]", schema: SafetyStop, docs: ["SafetyStop"] },
    { anchor: "step-when", title: "restore when", schema: StepCondition, docs: ["StepCondition"] },
    { anchor: "readback", title: "readback[]", schema: Readback, docs: ["readbackCommon"], intro: "Reading back what the store holds after traffic, by `kind`. Fields every readback has:", common: readbackCommon },
    ...kinds(Readback, "env/readback", "kind", "readback", "readback", readbackCommon),
    { anchor: "read-from", title: "readback from", schema: ReadFrom, docs: [], intro: "`{ node }` or `{ primaryOf: role }`." },
    { anchor: "slos", title: "slos[]", schema: SloSpec, docs: ["sloBase"], intro: "A service-level objective, by `kind`. Fields every SLO has:", common: sloBase },
    ...kinds(SloSpec, "judge/slos", "kind", "slo", "SLO", sloBase),
    { anchor: "slo-window", title: "SLO window", schema: SloWindow, docs: [], intro: "The stretch of the run an SLO is judged over, by `kind`:" },
    ...kinds(SloWindow, "judge/slos/slo-fields.ts", "kind", "window", "window", undefined),
    { anchor: "gate", title: "gate", schema: Gate, docs: ["Gate"] },
  ];
}

function renderSection(section: Section, index: JsDocIndex): string[] {
  const entries = section.docs.map((key) => index.get(key)).filter((e): e is DocEntry => e !== undefined);
  const out = [`## ${section.title}`, "", `<a id="${section.anchor}"></a>`];
  const doc = section.intro ?? entries.find((e) => e.doc)?.doc;
  if (doc) out.push("", doc);
  const shape = objectShape(section.schema);
  const isUnion = section.schema._zod.def.type === "union";
  if (isUnion && section.common) out.push("", ...fieldTable(section.common, entries, section.anchor));
  if (isUnion) {
    const links = optionsOf(section.schema).map((o) => {
      const key = (section.schema._zod.def as { discriminator?: string }).discriminator;
      const value = key ? discriminator(o, key) : undefined;
      return value ? `[\`${value}\`](#${section.anchor === "traffic" ? "traffic" : anchorPrefix(section.anchor)}-${value})` : undefined;
    });
    if (links.some((l) => l)) out.push("", `Kinds: ${links.filter((l) => l).join(", ")}.`);
  }
  if (shape) {
    const own = Object.fromEntries(Object.entries(shape).filter(([name, schema]) => section.common?.[name] !== schema));
    out.push("", ...fieldTable(own, entries, section.anchor));
    const shared = Object.keys(shape).filter((name) => section.common?.[name] !== undefined && section.common[name] === shape[name]);
    if (shared.length > 0 && section.parent) out.push("", `Also the common fields ${shared.map((n) => `\`${n}\``).join(", ")} (see [${section.parent}](#${section.parent})).`);
  }
  const example = examples[section.anchor];
  if (example) out.push("", ...renderExample(example, section.anchor));
  return out;
}

/** The prefix a union's kind sections use: faults -> fault, slos -> slo. */
function anchorPrefix(anchor: string): string {
  return ({ faults: "fault", slos: "slo", readback: "readback", "ready-probe": "ready", probes: "probe", "probe-check": "probe-check", toxic: "toxic", "slo-window": "window" } as Record<string, string>)[anchor] ?? anchor;
}

function fieldTable(shape: Record<string, Schema>, entries: DocEntry[], anchor: string): string[] {
  const rows = Object.entries(shape).map(([name, schema]) => {
    const described = entries.map((e) => e.fields[name]).find((d) => d !== undefined) ?? undocumented[`${anchor}.${name}`] ?? undocumented[name] ?? "";
    return `| \`${name}\` | ${required(schema) ? "yes" : ""} | ${cell(typeOf(schema))} | ${cell(defaultOf(schema))} | ${cell(described)} |`;
  });
  return ["| field | required | type | default | description |", "|---|---|---|---|---|", ...rows];
}

function renderExample(example: Example, anchor: string): string[] {
  const lines = ["Example:", "", "```ts", example.code, "```"];
  const helper = anchor.startsWith("fault-") ? faultHelpers[anchor.slice("fault-".length)] : undefined;
  if (helper) lines.push("", `With the helper of \`havoc\`: \`${helper}\`.`);
  return lines;
}

function cell(text: string): string {
  return text.replaceAll("|", "\\|").replaceAll("\n", " ");
}

/** Whether the field must be given: no default, not optional. */
function required(schema: Schema): boolean {
  return schema._zod.optin !== "optional";
}

/** The schema under defaults, optionals and the like (a transform's input for a pipe that is not a duration). */
function unwrap(schema: Schema): Schema {
  let at = schema;
  for (;;) {
    if (durationFields.has(at)) return at;
    const def = at._zod.def as { type: string; innerType?: Schema; in?: Schema };
    if ((def.type === "default" || def.type === "optional" || def.type === "prefault" || def.type === "nullable" || def.type === "readonly") && def.innerType) at = def.innerType;
    else if (def.type === "pipe" && def.in && !namedAnchor(at)) at = def.in;
    else return at;
  }
}

function namedAnchor(schema: Schema): string | undefined {
  return named.find(([s]) => s === schema)?.[1];
}

/** A field's type in words: `duration >= 1s`, `whole number 1..65535`, `list of [node](#node)`, `"one" \| "all"`. */
export function typeOf(schema: Schema): string {
  const link = namedAnchor(schema) ?? namedAnchor(unwrapDefault(schema));
  if (link) return `[${link}](#${link})`;
  const inner = unwrap(schema);
  const linked = namedAnchor(inner);
  if (linked) return `[${linked}](#${linked})`;
  const duration = durationFields.get(inner);
  if (duration) {
    const bounds = [duration.minMs !== undefined ? `>= ${formatDuration(duration.minMs)}` : "", duration.maxMs !== undefined ? `<= ${formatDuration(duration.maxMs)}` : ""].filter((b) => b).join(", ");
    return `${duration.numbers === "milliseconds" ? "milliseconds (a number) or duration" : "duration"}${bounds ? ` ${bounds}` : ""}`;
  }
  const def = inner._zod.def as z.core.$ZodTypeDef & Record<string, unknown>;
  const bag = inner._zod.bag as Record<string, unknown>;
  switch (def.type) {
    case "string": {
      const patterns = bag.patterns as Set<RegExp> | undefined;
      if (patterns?.size) return [...patterns].map((p) => patternWords[p.source] ?? `string matching \`${p.source}\``).join(" and ");
      return bag.minimum ? "non-empty string" : "string";
    }
    case "number":
      return numberType(bag);
    case "boolean":
      return "true or false";
    case "enum":
    case "literal":
      return [...(inner._zod.values ?? [])].map((v) => JSON.stringify(v)).join(" | ");
    case "array":
      const count = [bag.minimum ? `at least ${String(bag.minimum)}` : "", bag.maximum !== undefined ? `at most ${String(bag.maximum)}` : ""].filter((c) => c).join(", ");
      return `list${count ? ` (${count})` : ""} of ${typeOf(def.element as Schema)}`;
    case "tuple":
      return `[${(def.items as Schema[]).map(typeOf).join(", ")}]`;
    case "record":
      return `object of ${typeOf(def.keyType as Schema)} -> ${typeOf(def.valueType as Schema)}`;
    case "object":
      return `{ ${Object.entries(def.shape as Record<string, Schema>)
        .map(([k, v]) => `${k}${required(v) ? "" : "?"}: ${typeOf(v)}`)
        .join(", ")} }`;
    case "union":
      return (def.options as Schema[]).map(typeOf).join(" or ");
    default:
      return def.type;
  }
}

/** The patterns of the schemas in words. */
const patternWords: Record<string, string> = {
  "^[a-z0-9][a-z0-9-]*$": "lower-case name (a-z, 0-9, '-')",
  "^[a-z][a-z0-9-]*$": "lower-case name (a-z first, then a-z, 0-9, '-')",
  "^[a-z][a-z0-9-]{0,30}$": "name (a-z first, then a-z, 0-9, '-'; up to 31)",
  "^[a-z][a-z0-9-]{0,40}$": "name (a-z first, then a-z, 0-9, '-'; up to 41)",
  "^[a-zA-Z0-9_.-]+$": "id (letters, digits, '_', '.', '-')",
  "^\\/.*": 'path starting with "/"',
  "^\\/[^\\0]*$": 'absolute path ("/...")',
  "^0?[0-7]{3,4}$": 'octal mode, e.g. "0755"',
  "\\.(ts|mts|js|mjs)$": "path of a .ts, .mts, .js or .mjs file",
  "^[A-Za-z_][A-Za-z0-9_]*$": "environment variable name",
};

function unwrapDefault(schema: Schema): Schema {
  let at = schema;
  while (["default", "optional", "prefault"].includes(at._zod.def.type)) at = defOf<{ innerType: Schema }>(at).innerType;
  return at;
}

function numberType(bag: Record<string, unknown>): string {
  const whole = bag.format === "safeint" || bag.format === "int32";
  const min = bag.minimum as number | undefined;
  const max = bag.maximum as number | undefined;
  const gt = bag.exclusiveMinimum as number | undefined;
  const lt = bag.exclusiveMaximum as number | undefined;
  const safe = (n: number | undefined) => (n !== undefined && Math.abs(n) < Number.MAX_SAFE_INTEGER ? n : undefined);
  const lo = safe(min);
  const hi = safe(max);
  const base = whole ? "whole number" : "number";
  if (lo !== undefined && hi !== undefined) return `${base} ${lo}..${hi}`;
  const parts = [lo !== undefined ? `>= ${lo}` : gt !== undefined ? `> ${gt}` : "", hi !== undefined ? `<= ${hi}` : lt !== undefined ? `< ${lt}` : ""].filter((p) => p);
  return parts.length ? `${base} ${parts.join(", ")}` : base;
}

/** The default in the scenario's own terms: durations as "5s", objects as written. */
function defaultOf(schema: Schema): string {
  let at = schema;
  while (at._zod.def.type === "optional") at = defOf<{ innerType: Schema }>(at).innerType;
  if (at._zod.def.type !== "default") return "";
  const def = defOf<{ defaultValue: unknown; innerType: Schema }>(at);
  const value = typeof def.defaultValue === "function" ? (def.defaultValue as () => unknown)() : def.defaultValue;
  if (Array.isArray(value) && value.length === 0) return "none";
  if (typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length === 0) return "none";
  return `\`${asWritten(value, def.innerType)}\``;
}

/** An output value as a scenario writes it: milliseconds of a duration field as "5s", through objects. */
function asWritten(value: unknown, schema: Schema): string {
  const inner = unwrap(schema);
  if (typeof value === "number" && durationFields.get(inner)?.numbers === "refused") return `"${formatDuration(value)}"`;
  const shape = objectShape(inner);
  if (shape && typeof value === "object" && value !== null && !Array.isArray(value))
    return `{ ${Object.entries(value)
      .map(([k, v]) => `${k}: ${shape[k] ? asWritten(v, shape[k]) : JSON.stringify(v)}`)
      .join(", ")} }`;
  return asCode(value);
}

function objectShape(schema: Schema): Record<string, Schema> | undefined {
  let at = schema;
  while (at._zod.def.type === "pipe") at = defOf<{ in: Schema }>(at).in;
  return at._zod.def.type === "object" ? defOf<{ shape: Record<string, Schema> }>(at).shape : undefined;
}

function optionsOf(union: Schema): Schema[] {
  return ((union._zod.def as { options?: Schema[] }).options ?? []) as Schema[];
}

function discriminator(option: Schema, key: string): string | undefined {
  const values = option._zod.propValues?.[key];
  const first = values ? [...values][0] : undefined;
  return typeof first === "string" ? first : undefined;
}

/** A schema's definition with the fields its type has (zod's def types are not exported per kind). */
function defOf<D>(schema: Schema): D {
  return schema._zod.def as unknown as D;
}
