/**
 * The transaction mix the SQL reference systems' list-append workloads share (one place, so galera and pgha ask the
 * same question): 3 keys at once, each retired after 30 appends, 1-4 micro-ops per transaction, half of them reads,
 * half the appends read their key first. Few keys and read-modify-write transactions make concurrent transactions
 * meet on a key often, where lost updates and write skew live.
 */
export const contendedListAppendMix = { activeKeys: 3, maxAppendsPerKey: 30, minTxnLength: 1, maxTxnLength: 4, readPercent: 50, readBeforeAppendPercent: 50 } as const;
