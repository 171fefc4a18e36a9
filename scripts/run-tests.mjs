#!/usr/bin/env node
// Runs the whole test suite once (every workspace package as a vitest project) and ends
// with the one summary line CI reads: `N passed, N failed[, N skipped]`.
import { spawnSync } from "node:child_process"
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs"
import path from "node:path"
import { fileURLToPath } from "node:url"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const report = path.join(root, ".tmp", "vitest-report.json")
mkdirSync(path.dirname(report), { recursive: true })
rmSync(report, { force: true })

ensureChromium()

// With --checks (CI and `npm test`): type-check, lint and format first; a failing check counts
// as a failure in the summary line but does not stop the tests from running.
const args = process.argv.slice(2)
let failedChecks = 0
if (args.includes("--checks")) {
  for (const [name, cmd] of [
    ["typecheck", ["exec", "turbo", "run", "typecheck"]],
    ["lint", ["exec", "oxlint", "--deny-warnings"]],
    ["format", ["exec", "prettier", "--check", "."]],
  ]) {
    console.log(`\n▶ ${name}`)
    const r = spawnSync("pnpm", cmd, { cwd: root, stdio: "inherit" })
    if (r.status !== 0) {
      failedChecks++
      console.log(`✗ ${name} failed`)
    }
  }
}

const vitest = spawnSync(
  "pnpm",
  [
    "exec",
    "vitest",
    "run",
    "--reporter=default",
    "--reporter=json",
    `--outputFile.json=${report}`,
    ...args.filter((a) => a !== "--checks"),
  ],
  { cwd: root, stdio: "inherit" },
)

if (!existsSync(report)) {
  console.log(`0 passed, ${1 + failedChecks} failed`)
  console.error("vitest wrote no report: it crashed before running the tests")
  process.exit(1)
}
const result = JSON.parse(readFileSync(report, "utf8"))
const passed = result.numPassedTests ?? 0
// A test file that fails to load counts as a failure even though it ran no test.
const failed = (result.numFailedTests ?? 0) + countBrokenFiles(result) + failedChecks
const skipped = (result.numPendingTests ?? 0) + (result.numTodoTests ?? 0)
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ""}`)
process.exit(vitest.status === 0 && failed === 0 && passed > 0 ? 0 : 1)

function countBrokenFiles(r) {
  return (r.testResults ?? []).filter(
    (file) => file.status === "failed" && (file.assertionResults ?? []).length === 0,
  ).length
}

// The admin app's browser tests drive Debian's Chromium; install it when it is missing and
// we may (root with apt-get), as CI and fresh machines are.
function ensureChromium() {
  if (existsSync("/usr/bin/chromium")) return
  if (process.getuid?.() !== 0 || !existsSync("/usr/bin/apt-get")) {
    console.warn("warning: /usr/bin/chromium is missing; install Debian's chromium package")
    return
  }
  console.log("Installing Chromium from Debian's packages for the browser tests…")
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" }
  spawnSync("apt-get", ["update", "-qq"], { stdio: "inherit", env })
  spawnSync("apt-get", ["install", "-y", "-qq", "chromium"], { stdio: "inherit", env })
}
