import { listAppendLaggingScenario } from "./list-append-lagging-replica-async.ts";

/** The list-append lagging replica (list-append-lagging-replica-async.ts) with synchronous replication. */
export default listAppendLaggingScenario(true);
