import path from 'node:path';
import { formatBytes } from '../../core/report/format';
import type { Command } from '../command';
import { optionalNumber, requireString } from '../command';
import { printJson } from '../output';
import { withWorkbench } from '../workbench';

/** `residual export-model`: one ONNX file of a trained model (model.exportOnnx; core/export/onnx.ts). */
export const exportModelCommand: Command = {
  name: 'export-model',
  usage: 'residual export-model --project P --model ID --out model.onnx [--json]   (every kind but ecod, and ensembles without an ecod member; an existing file is overwritten only if Residual wrote it)',
  options: { project: { type: 'string' }, model: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' } },
  async run({ values, io }) {
    const project = requireString(values, 'project', this);
    const modelId = optionalNumber(values, 'model', { integer: true, min: 1 }) ?? Number(requireString(values, 'model', this));
    const out = path.resolve(requireString(values, 'out', this));
    const r = await withWorkbench(project, {}, (wb) => wb.invoke('model.exportOnnx', { modelId, out }));
    if (values['json']) {
      printJson(io, r);
      return 0;
    }
    io.out(`Model #${r.modelId} (${r.kind}) written to ${r.out} (${formatBytes(r.bytes)}, sha256 ${r.sha256}).\n`);
    io.out(`Inputs, one per column: ${r.inputs.map((i) => `${i.name} (${i.type})`).join(', ')}.\n`);
    io.out(`Outputs: ${r.outputs.join(', ')}. Threshold in force: ${r.threshold === null ? 'none (score the training data or set one with residual threshold)' : String(r.threshold)}.\n`);
    return 0;
  },
};
