import { latentSampleWords, MAX_LATENT_SAMPLE, type LatentView } from '../../contract';
import type { Command } from '../command';
import { optionalNumber, requireString } from '../command';
import { formatNumber, printJson } from '../output';
import { scoreOf } from '../resolve';
import { withWorkbench } from '../workbench';

const pct = (v: number): string => `${(100 * v).toFixed(1)} %`;
const secs = (v: number): string => (v < 0.01 ? `${(v * 1000).toFixed(2)} ms` : `${v.toFixed(3)} s`);

/** The latent view in words: what the code is, the PCA's explained variance, seed 001's compression and kNN figures. */
export function describeLatent(v: LatentView, modelName: string, datasetName: string): string {
  const lines = [
    `Model #${v.modelId} (${v.kind}) on "${datasetName}": ${v.source}; ${latentSampleWords(v, 'rows')}${v.sampled < v.rows ? `, seed ${v.seed}` : ''}`,
    `  PCA of the codes: the two axes explain ${pct(v.explained[0])} and ${pct(v.explained[1])} of their variance`,
  ];
  if (v.compression) {
    const c = v.compression;
    lines.push(
      `  compression: ${v.inputDims} inputs → ${v.latentDims} latent features (${formatNumber(c.ratio)}×); reconstruction MSE ${formatNumber(c.mse)} per input (scaled units)` +
        (c.pixelMse !== null ? `; pixels (0–1): MSE ${formatNumber(c.pixelMse)}, PSNR ${c.psnr === null ? '∞' : c.psnr.toFixed(1)} dB` : ''),
    );
  } else lines.push(`  compression: ${v.inputDims} inputs → ${v.latentDims} features (${formatNumber(v.inputDims / v.latentDims)}×); ${v.compressionNote}`);
  if (v.knn) {
    const k = v.knn;
    const ratio = k.latent.seconds > 0 ? ` (${formatNumber(k.inputs.seconds / k.latent.seconds)}× the codes' time)` : '';
    const a = `on the ${k.latent.dims} latent features`;
    const b = `on the ${k.inputs.dims} inputs`;
    const w = Math.max(a.length, b.length);
    lines.push(
      `  kNN (k = ${k.k}; ${k.classes} classes from "${k.classColumn}"; ${k.testRows} sampled rows classified among ${k.trainRows}):`,
      `    ${a.padEnd(w)}  accuracy ${formatNumber(k.latent.accuracy)}  in ${secs(k.latent.seconds)}`,
      `    ${b.padEnd(w)}  accuracy ${formatNumber(k.inputs.accuracy)}  in ${secs(k.inputs.seconds)}${ratio}`,
    );
  } else lines.push(`  kNN: ${v.knnNote}`);
  lines.push(`  (model "${modelName}"; computed in ${secs(v.seconds)})`);
  return lines.join('\n') + '\n';
}

export const latentCommand: Command = {
  name: 'latent',
  usage: 'residual latent --project P [--model ID] [--dataset N] [--sample 2000] [--seed 0] [--points] [--json]',
  options: { project: { type: 'string' }, model: { type: 'string' }, dataset: { type: 'string' }, sample: { type: 'string' }, seed: { type: 'string' }, points: { type: 'boolean' }, json: { type: 'boolean' } },
  async run({ values, io }) {
    const project = requireString(values, 'project', this);
    const sample = optionalNumber(values, 'sample', { integer: true, min: 10, max: MAX_LATENT_SAMPLE });
    const seed = optionalNumber(values, 'seed', { integer: true, min: 0 });
    return withWorkbench(project, {}, async (wb) => {
      const { model, dataset, score } = scoreOf(wb.overview, values);
      const v = await wb.invoke('model.latent', { scoreId: score.scoreId, ...(sample !== undefined ? { sample } : {}), ...(seed !== undefined ? { seed } : {}) });
      if (values['json']) {
        const { points, ...rest } = v;
        printJson(io, { ...rest, dataset: dataset.name, ...(values['points'] ? { points } : {}) });
        return 0;
      }
      io.out(describeLatent(v, model.name, dataset.name));
      if (values['points']) {
        io.out('row\tid\trank\tscore\tx\ty\tlabel\n');
        for (const p of [...v.points].sort((a, b) => a.rank - b.rank)) io.out(`${p.row}\t${p.id}\t${p.rank}\t${formatNumber(p.score)}\t${formatNumber(p.x)}\t${formatNumber(p.y)}\t${p.label ?? ''}\n`);
      }
      return 0;
    });
  },
};
