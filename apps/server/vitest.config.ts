import { defineConfig } from "vitest/config"

// Real servers on random ports over real database files: give them time on a busy 2-core box.
export default defineConfig({
  test: {
    name: "server",
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
})
