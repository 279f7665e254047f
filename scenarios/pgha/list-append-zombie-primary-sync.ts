import { listAppendZombieScenario } from "./list-append-zombie-primary-async.ts";

/** The list-append zombie primary (list-append-zombie-primary-async.ts) with synchronous replication. */
export default listAppendZombieScenario(true);
