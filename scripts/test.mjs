// `npm test`: every check a change must pass, in order, then one summary line that CI can read.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const run = (label, cmd, args) => {
  console.log(`\n=== ${label}: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`\n${label} failed (exit ${r.status ?? r.signal}).`);
    process.exit(r.status ?? 1);
  }
};

run('system packages', process.execPath, ['scripts/system-deps.mjs']);
run('typecheck', 'npm', ['run', '-s', 'typecheck']);
run('lint', 'npm', ['run', '-s', 'lint']);
run('build', 'npm', ['run', '-s', 'build']);

const report = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'residual-vitest-')), 'report.json');
console.log('\n=== tests: vitest run');
const r = spawnSync(npx, ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)], { stdio: 'inherit' });
let summary = null;
try {
  summary = JSON.parse(fs.readFileSync(report, 'utf8'));
} catch {
  // vitest died before writing its report; its exit status says the rest.
}
if (summary) {
  const skipped = summary.numPendingTests + summary.numTodoTests;
  console.log(`\ntests: ${summary.numPassedTests} passed, ${summary.numFailedTests} failed, ${skipped} skipped`);
}
process.exit(r.status ?? 1);
