import { defineConfig } from "vitest/config"

// The test runner's own tests: each one runs scripts/run-tests.mjs on fixture files, which
// only test/fixtures/vitest.config.mjs picks up (they end in .fixture.mjs, not .test.*).
export default defineConfig({
  test: {
    name: "tooling",
    include: ["test/**/*.test.mjs"],
    testTimeout: 120_000,
  },
})
