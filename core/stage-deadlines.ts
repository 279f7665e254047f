/**
 * Deadlines of the run's stages, in ms. Each is generous for this 2-core machine (figures in the README);
 * a stage past its deadline fails the run with exit 3 and a message naming the stage and the node.
 */
export const stageDeadlinesMs = {
  /** Installing Docker, seeding the base image, building k6 and images on a cold machine. */
  bootstrap: 30 * 60_000,
  /** One fault injection, effect verified. */
  inject: 30_000,
  /** One heal, including the target's ready probe after a restart. */
  heal: 60_000,
  /** Final heal when the run is interrupted: short, because teardown removes the containers anyway. */
  healOnAbort: 5_000,
  /** Removing every container, network and volume of the run. */
  teardown: 60_000,
  /** Reading back stored ids. */
  readback: 60_000,
} as const;
