/** Issue #18: `residual train --layers 65536,65536` is refused with a plain message (exit 2), not a RangeError and a stack. */
import path from 'node:path';
import { expect, it } from 'vitest';
import { cli } from '../helpers/cli';
import { tmpDir } from '../helpers/tmp';


it('residual train refuses a network the machine cannot hold, naming parameters, memory and cap', async () => {
  process.env['RESIDUAL_BACKEND'] = 'wasm';
  const project = path.join(tmpDir('residual-cap-'), 'wdbc.residual');
  const imported = await cli('import', path.resolve(import.meta.dirname, '..', 'fixtures', 'wdbc.csv'), '--project', project, '--label', 'diagnosis', '--positive', 'malignant', '--id', 'id');
  expect(imported.code, imported.err).toBe(0);
  const r = await cli('train', '--project', project, '--kind', 'ae', '--layers', '65536,65536', '--epochs', '1');
  expect(r.code).toBe(2);
  expect(r.err).toMatch(/has [\d,]{13} parameters; training it needs about \d+ GB of memory .* over the cap of [\d,]+ parameters .* Use narrower or fewer layers/);
  expect(r.err).not.toMatch(/RangeError|\n {4}at /);
});
