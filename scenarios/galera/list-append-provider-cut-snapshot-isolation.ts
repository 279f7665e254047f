import { listAppendProviderCut } from "./list-append-provider-cut.ts";

/** The list-append provider cut (list-append-provider-cut.ts) with innodb_snapshot_isolation = ON in every session. */
export default listAppendProviderCut(true);
