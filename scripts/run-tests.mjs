#!/usr/bin/env node
// Runs the test suite once per lane (a lane is a set of vitest projects and the environment
// they run in) and ends with the one summary line CI reads, summed over the lanes:
// `N passed, N failed[, N skipped]`. The line and the exit status always agree: the exit
// status is 0 exactly when nothing failed and something passed.
//
//   node scripts/run-tests.mjs [--checks] [--lane <name>]... [vitest arguments]
import { spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import path from "node:path"
import { fileURLToPath } from "node:url"

// The lanes, in the order they run. `projects: []` means every project; `env` is added to the
// environment of that lane's vitest run.
const lanes = [
  { name: "embedded", projects: [], env: {} },
  // The packages that open a database, run against a libSQL server instead of files.
  // A remote database keeps no key file beside it: webhook secrets need the key variable, as in
  // a real scale-out deployment.
  {
    name: "remote",
    projects: ["store", "api", "server"],
    env: { ACTIONLOG_TEST_DB: "remote", ACTIONLOG_WEBHOOK_KEY: "actionlog-remote-lane-test-key" },
  },
]

const CHROMIUM = "/usr/bin/chromium"
const APT_GET = "/usr/bin/apt-get"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const { checks, laneNames, vitestArgs } = parseArgs(process.argv.slice(2))
const chosen = laneNames.length === 0 ? lanes : laneNames.map(findLane)

// A project filter given on the command line replaces the lanes' own.
const userProjects = projectsIn(vitestArgs)
const runsAdmin = chosen.some((lane) => {
  const projects = userProjects.length > 0 ? userProjects : lane.projects
  return projects.length === 0 || projects.includes("admin")
})
if (runsAdmin && !ensureChromium()) {
  console.log("0 passed, 1 failed")
  process.exit(1)
}

// With --checks (CI and `npm test`): type-check, lint and format first; a failing check counts
// as a failure in the summary line but does not stop the tests from running.
let failedChecks = 0
if (checks) {
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

const total = { passed: 0, failed: failedChecks, skipped: 0 }
const laneLines = []
for (const lane of chosen) {
  const r = runLane(lane)
  total.passed += r.passed
  total.failed += r.failed
  total.skipped += r.skipped
  laneLines.push(
    // Worded unlike the closing line, so that only the closing line reads as a summary.
    `lane ${lane.name}: passed ${r.passed}, failed ${r.failed}${r.skipped > 0 ? `, skipped ${r.skipped}` : ""}${r.notes.length ? ` (${r.notes.join("; ")})` : ""}`,
  )
}
console.log("")
for (const line of laneLines) console.log(line)
if (failedChecks > 0) console.log(`checks: ${failedChecks} failed`)
console.log(formatCounts(total))
process.exit(total.failed === 0 && total.passed > 0 ? 0 : 1)

function runLane(lane) {
  const dir = mkdtempSync(path.join(tmpdir(), "actionlog-tests-"))
  const summaryFile = path.join(dir, "summary.json")
  const projects = userProjects.length > 0 ? [] : lane.projects.flatMap((p) => ["--project", p])
  console.log(
    `\n▶ lane ${lane.name}${lane.projects.length ? ` (${lane.projects.join(", ")})` : ""}`,
  )
  const vitest = spawnSync(
    "pnpm",
    [
      "exec",
      "vitest",
      "run",
      "--reporter=default",
      `--reporter=${path.join(root, "scripts", "summary-reporter.mjs")}`,
      ...projects,
      ...vitestArgs,
    ],
    {
      cwd: root,
      stdio: "inherit",
      env: { ...process.env, ...lane.env, ACTIONLOG_TEST_SUMMARY: summaryFile },
    },
  )
  const notes = []
  let counts = { passed: 0, failed: 0, skipped: 0 }
  if (existsSync(summaryFile)) {
    const s = JSON.parse(readFileSync(summaryFile, "utf8"))
    counts = {
      passed: s.passed,
      // Each failed test, each file or suite that failed by itself (an import error, a hook
      // that threw) and each unhandled error is one failure.
      failed: s.failedTests + s.broken.length + s.unhandledErrors.length,
      skipped: s.skipped,
    }
    if (s.broken.length > 0) notes.push(`failed outside a test: ${s.broken.join(", ")}`)
    if (s.unhandledErrors.length > 0) notes.push(`${s.unhandledErrors.length} unhandled error(s)`)
    if (counts.failed === 0 && s.reason !== "passed") {
      counts.failed = 1
      notes.push(`vitest ended the run as ${s.reason}`)
    }
  } else {
    counts.failed = 1
    notes.push("vitest wrote no summary: it stopped before running the tests")
  }
  if (counts.failed === 0 && vitest.status !== 0) {
    counts.failed = 1
    notes.push(`vitest exited with ${vitest.status ?? vitest.signal}`)
  }
  if (counts.failed === 0 && counts.passed === 0) {
    counts.failed = 1
    notes.push("no test passed")
  }
  rmSync(dir, { recursive: true, force: true })
  return { ...counts, notes }
}

function formatCounts({ passed, failed, skipped }) {
  return `${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ""}`
}

function parseArgs(argv) {
  const out = { checks: false, laneNames: [], vitestArgs: [] }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === "--checks") out.checks = true
    else if (a === "--lane") out.laneNames.push(...(argv[++i] ?? "").split(","))
    else if (a.startsWith("--lane=")) out.laneNames.push(...a.slice("--lane=".length).split(","))
    else out.vitestArgs.push(a)
  }
  return out
}

function findLane(name) {
  const lane = lanes.find((l) => l.name === name)
  if (!lane) {
    console.error(`unknown lane "${name}"; lanes: ${lanes.map((l) => l.name).join(", ")}`)
    console.log("0 passed, 1 failed")
    process.exit(1)
  }
  return lane
}

function projectsIn(args) {
  const out = []
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--project") out.push(args[i + 1] ?? "")
    else if (args[i].startsWith("--project=")) out.push(args[i].slice("--project=".length))
  }
  return out
}

// The admin app's browser tests drive Debian's Chromium. Install it when it is missing and we
// may (root with apt-get), as CI and fresh machines are; otherwise say what to install and stop,
// since without it every browser test would fail in its setup.
function ensureChromium() {
  if (existsSync(CHROMIUM)) return true
  const howTo = `install Debian's chromium package (sudo apt-get install chromium) so that ${CHROMIUM} exists`
  if (process.getuid?.() !== 0 || !existsSync(APT_GET)) {
    console.error(`error: ${CHROMIUM} is missing; the admin app's browser tests need it: ${howTo}`)
    return false
  }
  console.log("Installing Chromium from Debian's packages for the browser tests…")
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" }
  for (const args of [
    ["update", "-qq"],
    ["install", "-y", "-qq", "chromium"],
  ]) {
    const r = spawnSync(APT_GET, args, { stdio: "inherit", env })
    if (r.status !== 0) {
      console.error(`error: apt-get ${args[0]} failed (${r.status ?? r.signal}); ${howTo}`)
      return false
    }
  }
  if (!existsSync(CHROMIUM)) {
    console.error(`error: apt-get installed chromium but ${CHROMIUM} is still missing; ${howTo}`)
    return false
  }
  return true
}
