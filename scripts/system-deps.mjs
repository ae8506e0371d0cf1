// The end-to-end and report tests use Debian's chromium and poppler-utils (pdftotext, pdfinfo, pdftoppm); the image
// tests Debian's dataset-fashion-mnist; the classical detectors are checked against ../shared/bench/reference.py with Debian's python3-sklearn and
// python3-pandas; the Dask recipe (scripts/dask_score.py) with python3-onnx and python3-distributed. Installs them when missing and this user may (root with apt-get); otherwise says how, in one line.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const needs = [
  { bin: 'chromium', pkg: 'chromium' },
  { bin: 'pdftotext', pkg: 'poppler-utils' },
  { python: 'sklearn', pkg: 'python3-sklearn' },
  { python: 'pandas', pkg: 'python3-pandas' },
  // The Dask scoring recipe's test (tests/cli/dask-recipe.test.ts) reads the exported ONNX file and runs a LocalCluster.
  { python: 'onnx', pkg: 'python3-onnx' },
  { python: 'distributed', pkg: 'python3-distributed' },
  // The image import and one-class quality tests read Fashion-MNIST's IDX files.
  { file: '/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz', pkg: 'dataset-fashion-mnist' },
];

function has(n) {
  if (n.file) return existsSync(n.file);
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
