/**
 * testcontainers settings that must be in place before its first call (shared/ENVIRONMENT.md):
 * - the Ryuk reaper image cannot be pulled here; our own label sweep (env/docker/sweep.ts) replaces it;
 * - /.dockerenv exists on these hosts, so without a host override testcontainers thinks it runs in a
 *   container and tries to pull alpine to find the gateway.
 */
process.env.TESTCONTAINERS_RYUK_DISABLED ??= "true";
process.env.TESTCONTAINERS_HOST_OVERRIDE ??= "127.0.0.1";
export {};
