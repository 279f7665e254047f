import type { DurationInput, FaultSpecInput } from "../../api/index.ts";
import { wanLinks } from "./topology.ts";

/** Id of the first of the WAN latency faults: SLO windows name it (all of them share `at` and `for`). */
export const wanLatencyFaultId = "wan-latency";

/**
 * Latency on the WAN between the providers, as a round trip: half of `roundTripMs` each way on every link that
 * carries Galera's group communication across (`<node>-wan`). This kernel has no netem, so the delay is a toxiproxy
 * latency toxic per link and direction (the links are the only path between the providers): six faults with the same
 * schedule, the first with id `wanLatencyFaultId`.
 */
export function wanLatencyFaults(options: { at: DurationInput; for: DurationInput; roundTripMs: number }): FaultSpecInput[] {
  const oneWayMs = options.roundTripMs / 2;
  return wanLinks.flatMap((link, i) =>
    (["downstream", "upstream"] as const).map(
      (direction, j): FaultSpecInput => ({
        id: i === 0 && j === 0 ? wanLatencyFaultId : `${wanLatencyFaultId}-${link}-${direction}`,
        kind: "link-toxic",
        link,
        target: { names: [link.replace(/-wan$/, "")] },
        toxic: { type: "latency", latencyMs: oneWayMs },
        direction,
        at: options.at,
        for: options.for,
      }),
    ),
  );
}
