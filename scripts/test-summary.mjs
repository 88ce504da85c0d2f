// Prints vitest's totals (from test-results.json, written by the json reporter) as one plain line.
import { readFileSync } from 'node:fs';

const results = JSON.parse(readFileSync(new URL('../test-results.json', import.meta.url), 'utf8'));
const skipped = results.numPendingTests + results.numTodoTests;
console.log(`tests: ${results.numPassedTests} passed, ${results.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exitCode = results.numFailedTests > 0 || results.numTotalTests === 0 ? 1 : 0;
