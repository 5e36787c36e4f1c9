import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/build-once.ts", "test/own-tmpdir.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Tests share real services and loopback ports; two cores suit two forks.
    pool: "forks",
    maxWorkers: 2,
  },
});
