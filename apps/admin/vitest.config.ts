import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    name: "admin",
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/globalSetup.ts"],
    // One browser, one server and one seeded database for the whole e2e file.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
})
