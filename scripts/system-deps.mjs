// The end-to-end and report tests use Debian's chromium and poppler-utils (pdftotext, pdfinfo, pdftoppm); the
// classical detectors are checked against ../shared/bench/reference.py with Debian's python3-sklearn and
// python3-pandas. Installs them when missing and this user may (root with apt-get); otherwise says how, in one line.
import { execFileSync, spawnSync } from 'node:child_process';

const needs = [
  { bin: 'chromium', pkg: 'chromium' },
  { bin: 'pdftotext', pkg: 'poppler-utils' },
  { python: 'sklearn', pkg: 'python3-sklearn' },
  { python: 'pandas', pkg: 'python3-pandas' },
];

function has(n) {
  if (n.python) return spawnSync('/usr/bin/python3', ['-c', `import ${n.python}`], { stdio: 'ignore' }).status === 0;
  return spawnSync('sh', ['-c', `command -v ${n.bin}`], { stdio: 'ignore' }).status === 0;
}

const missing = needs.filter((n) => !has(n)).map((n) => n.pkg);
if (missing.length > 0) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot && has('apt-get')) {
    console.error(`Installing Debian packages the tests need: ${missing.join(' ')}`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['update', '-q'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '-q', ...missing], { stdio: 'inherit', env });
  } else {
    console.error(`The tests need Debian packages ${missing.join(' ')}: run "sudo apt-get install ${missing.join(' ')}" and try again.`);
    process.exit(1);
  }
}
