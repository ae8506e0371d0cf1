// The end-to-end and report tests use Debian's chromium and poppler-utils (pdftotext, pdfinfo, pdftoppm).
// Installs them when missing and this user may (root with apt-get); otherwise says how, in one line.
import { execFileSync, spawnSync } from 'node:child_process';

const needs = [
  { bin: 'chromium', pkg: 'chromium' },
  { bin: 'pdftotext', pkg: 'poppler-utils' },
];

function has(bin) {
  return spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0;
}

const missing = needs.filter((n) => !has(n.bin)).map((n) => n.pkg);
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
