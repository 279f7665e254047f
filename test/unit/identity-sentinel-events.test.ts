import { describe, expect, it } from "vitest";
import { sentinelEvents } from "../support/identity-figures.ts";

/** Node log lines as `havoc` saves them: Docker's timestamp, then the process's own line. */
const start = Date.parse("2026-12-02T07:00:00.000Z");
const line = (offsetMs: number, text: string) => `${new Date(start + offsetMs).toISOString().replace("Z", "123456Z")} ${text}`;

describe("sentinelEvents (Sentinel's own view of a failover, from the node logs)", () => {
  it("takes the first +switch-master after the fault, its new primary, and the conversion of the old one", () => {
    const id2 = [
      line(5_000, "21:X 02 Dec 2026 07:00:05.000 # +switch-master identity id-9 6379 id-1 6379"), // before the fault: ignored
      line(20_100, "21:X 02 Dec 2026 07:00:20.100 # +sdown master identity id-1 6379"),
      line(20_900, "21:X 02 Dec 2026 07:00:20.900 # +new-epoch 1"),
      line(23_600, "21:X 02 Dec 2026 07:00:23.600 # +switch-master identity id-1 6379 id-3 6379"),
      line(52_000, "21:X 02 Dec 2026 07:00:52.000 * +convert-to-slave slave id-1:6379 id-1 6379 @ identity id-3 6379"),
    ].join("\n");
    const id3 = line(23_400, "30:X 02 Dec 2026 07:00:23.400 # +switch-master identity id-1 6379 id-3 6379");
    expect(sentinelEvents([id2, id3], start, { calledAtMs: 20_000, injectedAtMs: 20_050 })).toEqual({
      switchMasterAtMs: 23_400,
      newPrimary: "id-3",
      failoverMs: 3_350,
      splitVotes: 0,
      convertToReplicaAtMs: 52_000,
    });
  });

  it("counts an election that found no leader once per epoch, whichever Sentinels logged it", () => {
    const abort = (ms: number) => line(ms, "23:X 02 Dec 2026 07:00:31.000 # -failover-abort-not-elected master identity id-1 6379");
    const epoch = (ms: number, n: number) => line(ms, `23:X 02 Dec 2026 07:00:21.000 # +new-epoch ${n}`);
    const logs = [[epoch(21_000, 1), abort(31_000)].join("\n"), [epoch(21_010, 1), abort(31_200)].join("\n"), "not a log line"];
    expect(sentinelEvents(logs, start, { calledAtMs: 20_000, injectedAtMs: 20_000 })).toMatchObject({ switchMasterAtMs: null, failoverMs: null, splitVotes: 1 });
  });
});
