import { urlHost } from "../topology/ready-probe.ts";
import { errorMessage } from "../../core/errors.ts";
import { READ_ATTEMPT_TIMEOUT_MS, type ReadbackKind, type ReadOutcome } from "./readback-kind.ts";
import { z } from "zod";
import { readbackCommon } from "./readback-fields.ts";

/** HTTP: GET `path` on the node's published port answers the ids, as a JSON array of strings or one id per line. */
export const HttpReadback = z
  .object({
    kind: z.literal("http"),
    ...readbackCommon,
    port: z.number().int().min(1).max(65535),
    path: z.string().startsWith("/"),
    format: z.enum(["json", "lines"]).default("json"),
  })
  .strict();
export type HttpReadback = z.infer<typeof HttpReadback>;

/**
 * HTTP: GET the path; a 2xx body is the ids (a JSON array of strings or numbers, or one id per line). Any other
 * answer, or none, is "unreachable": an HTTP endpoint cannot tell a lost store from a broken handler, so havoc
 * does not guess.
 */
export const httpReadback: ReadbackKind<HttpReadback> = {
  schema: HttpReadback,
  describe: (spec) => `GET ${spec.path} (${spec.format})`,
  async readOnce(spec, target): Promise<ReadOutcome> {
    try {
      const response = await fetch(`http://${urlHost(target.address)}:${target.hostPort}${spec.path}`, { signal: AbortSignal.timeout(READ_ATTEMPT_TIMEOUT_MS) });
      const body = await response.text();
      if (!response.ok) return { kind: "unreachable", why: `GET ${spec.path} answered ${response.status}: ${body.slice(0, 200).trim()}` };
      if (spec.format === "lines") return { kind: "ok", ids: body.split("\n").map((l) => l.trim()).filter((l) => l !== "") };
      const parsed: unknown = JSON.parse(body);
      if (!Array.isArray(parsed) || !parsed.every((v) => typeof v === "string" || typeof v === "number"))
        return { kind: "unreachable", why: `GET ${spec.path}: expected a JSON array of ids, got ${body.slice(0, 120)}` };
      return { kind: "ok", ids: parsed.map(String) };
    } catch (error) {
      return { kind: "unreachable", why: errorMessage(error) };
    }
  },
};
