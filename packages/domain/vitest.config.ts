import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    name: "domain",
    include: ["test/**/*.test.ts"],
    // Property-based tests run many cases; leave room for a loaded CI machine.
    testTimeout: 30_000,
  },
})
