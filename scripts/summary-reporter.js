// Jest reporter: after the run, prints `N passed, N failed` (tests, not suites; a suite that
// failed to load counts as one failure) and writes the same line to .jest-summary for .ci/run
// (or to the file named by the reporter option `file`, e.g. the browser suite's .jest-summary-browser).
'use strict';
const fs = require('fs');
const path = require('path');

class SummaryReporter {
  constructor(globalConfig, options) {
    this.rootDir = globalConfig.rootDir;
    this.file = (options && options.file) || '.jest-summary';
  }
  onRunComplete(_contexts, results) {
    const failedSuites = results.testResults.filter((r) => r.testExecError || (r.failureMessage && r.numFailingTests === 0)).length;
    const line = `${results.numPassedTests} passed, ${results.numFailedTests + failedSuites} failed` +
      (results.numPendingTests ? `, ${results.numPendingTests} skipped` : '');
    fs.writeFileSync(path.join(this.rootDir, this.file), line + '\n');
    process.stdout.write(line + '\n');
  }
}
module.exports = SummaryReporter;
