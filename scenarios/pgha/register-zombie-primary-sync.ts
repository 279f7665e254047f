import { registerZombieScenario } from "./register-zombie-primary-async.ts";

/** The register zombie primary (register-zombie-primary-async.ts) with synchronous replication. */
export default registerZombieScenario(true);
