import { defineConfig } from "vitest/config";

// Integration tests start real containers and real k6: run files one at a time (2 cores) with long deadlines.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 300_000,
    reporters: ["default"],
  },
});
