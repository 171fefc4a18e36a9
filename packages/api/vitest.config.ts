import { defineConfig } from "vitest/config"

// Over the network (the remote lane) every statement is a round trip: give tests more time.
const remote = process.env["ACTIONLOG_TEST_DB"] === "remote"

export default defineConfig({
  test: {
    name: "api",
    include: ["test/**/*.test.ts"],
    ...(remote ? { testTimeout: 60_000, hookTimeout: 60_000 } : {}),
  },
})
