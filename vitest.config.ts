import { defineConfig } from "vitest/config"

// One vitest run over every workspace package, so the suite has one summary line.
export default defineConfig({
  test: {
    projects: ["packages/*", "apps/*", "examples/*", "scripts"],
  },
})
