// Prints "N passed, N failed" from vitest's JSON report. A failing lint or typecheck step leaves no report:
// that counts as one failure so CI never reads a red run as green.
import { existsSync, readFileSync } from 'node:fs';

const [reportPath, exitCode] = process.argv.slice(2);
if (!reportPath || !existsSync(reportPath)) {
  console.log(`0 passed, 1 failed`);
  console.error('ci-summary: no vitest report (lint or typecheck failed before the tests ran)');
  process.exit(0);
}
const report = JSON.parse(readFileSync(reportPath, 'utf8'));
let passed = report.numPassedTests ?? 0;
let failed = (report.numFailedTests ?? 0) + (report.numRuntimeErrorTests ?? 0);
// A suite that fails to load has no tests in it but is still a failure.
for (const file of report.testResults ?? []) {
  if (file.status === 'failed' && (file.assertionResults ?? []).length === 0) failed++;
}
if (failed === 0 && exitCode !== '0') failed = 1;
console.log(`${passed} passed, ${failed} failed`);
