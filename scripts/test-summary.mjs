// Prints the plain "N passed, N failed" line from vitest's JSON reports. Steps that failed without a
// report (lint, typecheck, a crashed run) count as failures too, so the line never hides them.
import { readFileSync } from 'node:fs';

const [failedSteps = '0', ...files] = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of files) {
  try {
    const report = JSON.parse(readFileSync(file, 'utf8'));
    passed += report.numPassedTests;
    failed += report.numFailedTests;
    skipped += report.numPendingTests + (report.numTodoTests ?? 0);
    // A test file that failed to load has no failed test but is a failure all the same.
    failed += report.testResults.filter(
      (f) => f.status === 'failed' && f.assertionResults.length === 0,
    ).length;
  } catch {
    failed += 1;
  }
}
const stepFailures = Number(failedSteps);
const total = failed + (stepFailures > 0 && failed === 0 ? stepFailures : 0);
console.log(`${passed} passed, ${total} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(total > 0 ? 1 : 0);
