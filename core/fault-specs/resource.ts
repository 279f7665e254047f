/** resource faults, as members of the FaultSpec union (see core/fault-spec.ts). Empty until implemented. */
export const resourceFaults = [] as const;
