/**
 * The full matrix of every reference system (every scenario, both modes) is the nightly run's, not CI's: CI keeps
 * one representative scenario per system under its 45-minute budget. Tests marked with this run only when
 * HAVOC_NIGHTLY=1 (`npm run test:nightly`; the nightly workflow sets it).
 */
export const nightly = process.env.HAVOC_NIGHTLY === "1";
