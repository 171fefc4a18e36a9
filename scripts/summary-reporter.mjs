// A vitest reporter that writes what scripts/run-tests.mjs needs for its summary line to the
// file named by ACTIONLOG_TEST_SUMMARY. vitest's JSON report leaves out unhandled errors and
// counts a file whose beforeAll threw as skipped tests, so the counts are taken here from the
// reporter API, where every kind of failure is visible.
import { writeFileSync } from "node:fs"

export default class SummaryReporter {
  onTestRunEnd(testModules, unhandledErrors, reason) {
    const out = process.env.ACTIONLOG_TEST_SUMMARY
    if (!out) return
    let passed = 0
    let failedTests = 0
    let skipped = 0
    // Files and suites that failed by themselves: import errors, throwing hooks.
    const broken = []
    for (const module of testModules) {
      let failedHere = 0
      for (const test of module.children.allTests()) {
        const state = test.result().state
        if (state === "passed") passed++
        else if (state === "failed") failedHere++
        else skipped++
      }
      failedTests += failedHere
      const own = []
      if (module.errors().length > 0) own.push(module.relativeModuleId)
      for (const suite of module.children.allSuites()) {
        if (suite.errors().length > 0) own.push(`${module.relativeModuleId} > ${suite.fullName}`)
      }
      // A file vitest marks failed with neither a failed test nor an error of its own still counts.
      if (own.length === 0 && failedHere === 0 && module.state() === "failed") {
        own.push(module.relativeModuleId)
      }
      broken.push(...own)
    }
    writeFileSync(
      out,
      JSON.stringify({
        passed,
        failedTests,
        skipped,
        broken,
        unhandledErrors: unhandledErrors.map((e) => String(e?.message ?? e)),
        reason,
      }),
    )
  }
}
