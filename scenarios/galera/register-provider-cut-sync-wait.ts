import { registerProviderCut } from "./register-provider-cut.ts";

/** The registers across the provider cut (register-provider-cut.ts) with wsrep_sync_wait = 1: causal reads. */
export default registerProviderCut(true);
