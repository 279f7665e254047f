import { registerLaggingScenario } from "./register-lagging-replica-async.ts";

/** The register lagging replica (register-lagging-replica-async.ts) with synchronous replication. */
export default registerLaggingScenario(true);
