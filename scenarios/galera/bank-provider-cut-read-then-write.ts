import { bankProviderCut } from "./bank-provider-cut.ts";

/** The bank across the provider cut (bank-provider-cut.ts) with read-then-write transfers at REPEATABLE READ. */
export default bankProviderCut("read-then-write");
