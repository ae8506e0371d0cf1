#!/usr/bin/env node
// The `residual` command: the CLI compiled to out/main/cli.js at `npm install`, rebuilt here first when a source
// is newer (a fresh clone installed with --ignore-scripts, or after a pull), so `npx residual` always runs current code.
import { buildIfStale, useBuild } from '../scripts/build.mjs';

try {
  await buildIfStale();
} catch (e) {
  process.stderr.write(`residual: building the app failed: ${e?.message ?? e}\nRun "npm run build" to see the whole error.\n`);
  process.exit(1);
}
// A rebuild by another `residual` while this one runs keeps the files this one may still load.
useBuild();
const { main } = await import('../out/main/cli.js');
process.exitCode = await main(process.argv.slice(2));
