import type { ListAppendMop } from "../../core/workload-op.ts";
import type { ListAppendClient, ListAppendClientModule } from "./client.ts";
import { ListAppendGenerator, type ListAppendGeneratorOptions } from "./list-append-generator.ts";
import { runWorkload, type WorkloadDriver, type WorkloadRun, type WorkloadRunOptions, type WorkloadRunResult } from "./run-workload.ts";

export type ListAppendRunOptions = Omit<WorkloadRunOptions<ListAppendClient>, "driver" | "module"> & {
  module: ListAppendClientModule;
  generator: ListAppendGeneratorOptions;
};
export type ListAppendRunResult = WorkloadRunResult;
export type ListAppendRun = WorkloadRun;

/** Elle's list-append: each op is one transaction ("txn") of appends and reads from a ListAppendGenerator. */
export function listAppendDriver(options: ListAppendGeneratorOptions): WorkloadDriver<ListAppendClient> {
  const generator = new ListAppendGenerator(options);
  return {
    next() {
      const mops = generator.next();
      return {
        f: "txn",
        value: mops,
        write: mops.some((m) => m[0] === "append"),
        run: (client) => client.txn(mops),
        okValue: (returned) => returned as ListAppendMop[],
      };
    },
  };
}

/** runWorkload with the list-append driver (see runWorkload for processes, timeouts and stop()). */
export function runListAppend(options: ListAppendRunOptions): ListAppendRun {
  const { generator, ...rest } = options;
  return runWorkload({ ...rest, driver: listAppendDriver(generator) });
}
