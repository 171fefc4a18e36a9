import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    name: "store",
    include: ["test/**/*.test.ts"],
    // Crash and multi-process tests spawn children; keep them from racing the CPU.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
})
