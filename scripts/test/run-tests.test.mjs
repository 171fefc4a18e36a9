// Runs the real scripts/run-tests.mjs on deliberately broken fixture files and checks that its
// closing line and exit status agree for every kind of failure.
import { spawnSync } from "node:child_process"
import path from "node:path"
import { describe, expect, test } from "vitest"

const root = path.resolve(import.meta.dirname, "..", "..")
const fixtureConfig = path.join(import.meta.dirname, "fixtures", "vitest.config.mjs")

function run(...args) {
  // The outer vitest's worker variables must not leak into the nested run.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !k.startsWith("VITEST") && k !== "ACTIONLOG_TEST_SUMMARY",
    ),
  )
  const r = spawnSync(process.execPath, [path.join(root, "scripts", "run-tests.mjs"), ...args], {
    cwd: root,
    env,
    encoding: "utf8",
  })
  const lines = r.stdout.trimEnd().split("\n")
  return { status: r.status, last: lines.at(-1), stdout: r.stdout, stderr: r.stderr }
}

const fixtures = (...filters) =>
  run("--lane", "embedded", "--config", fixtureConfig, "--project", "fixtures", ...filters)

// Only the closing line may look like a summary; lane lines carry a prefix.
function summaryLines(stdout) {
  return stdout.split("\n").filter((l) => /^\d+ passed, \d+ failed(, \d+ skipped)?$/.test(l))
}

describe("run-tests.mjs closing line", () => {
  test.each([
    ["passing", "2 passed, 0 failed", 0],
    ["failing-test", "1 passed, 1 failed", 1],
    ["before-all-throws", "1 passed, 1 failed, 2 skipped", 1],
    ["after-all-throws", "2 passed, 1 failed", 1],
    ["unhandled-rejection", "1 passed, 1 failed", 1],
    ["import-fails", "0 passed, 1 failed", 1],
  ])("%s → %s, exit %i", (fixture, line, status) => {
    const r = fixtures(`${fixture}.fixture`)
    expect(r.last).toBe(line)
    expect(r.status).toBe(status)
    expect(summaryLines(r.stdout)).toEqual([line])
  })

  test("every broken file at once: each failure counted once", () => {
    const r = fixtures()
    // passed: 2 + 1 + 1 + 2 + 1; failed: test, beforeAll, afterAll, unhandled error, import.
    expect(r.last).toBe("7 passed, 5 failed, 2 skipped")
    expect(r.status).toBe(1)
  })

  test("lanes are summed into one closing line, each lane reported with its name", () => {
    const r = run(
      "--lane",
      "embedded",
      "--lane",
      "embedded",
      "--config",
      fixtureConfig,
      "--project",
      "fixtures",
      "passing.fixture",
    )
    expect(r.stdout).toContain(
      "lane embedded: passed 2, failed 0\nlane embedded: passed 2, failed 0\n",
    )
    expect(r.last).toBe("4 passed, 0 failed")
    expect(summaryLines(r.stdout)).toEqual(["4 passed, 0 failed"])
    expect(r.status).toBe(0)
  })

  test("a run that matches no test file is a failure, not 0 passed, 0 failed", () => {
    const r = fixtures("no-file-has-this-name")
    expect(r.last).toBe("0 passed, 1 failed")
    expect(r.status).toBe(1)
  })

  test("an unknown lane is a failure that names the lanes", () => {
    const r = run("--lane", "nosuch")
    expect(r.last).toBe("0 passed, 1 failed")
    expect(r.stderr).toContain("lanes: embedded, remote")
    expect(r.status).toBe(1)
  })
})
