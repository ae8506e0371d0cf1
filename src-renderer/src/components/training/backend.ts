import type { BackendInfo, EnginePath } from '../../../../src-main/contract';

/**
 * One name per backend everywhere — the header, Training, the runs table, Help ▸ About, the CLI and the report: the
 * name RESIDUAL_BACKEND takes (`wasm`, `tensorflow`, `tensorflow-cuda`, `cpu`). What it means is said in a tooltip.
 */
const MEANING: Record<BackendInfo['name'], string> = {
  'tensorflow-cuda': 'TensorFlow with CUDA, on the GPU',
  tensorflow: 'native TensorFlow, on the CPU',
  wasm: 'WebAssembly, on the CPU',
  cpu: 'plain JavaScript, on the CPU (the slowest)',
};

/** "wasm (SIMD, threads)": the backend that runs now, for the header's badge and the live run. */
export function backendText(b: BackendInfo | null | undefined): string {
  if (!b) return 'starting…';
  const extras = [b.simd ? 'SIMD' : null, b.threads ? 'threads' : null, b.forced ? 'forced' : null].filter((x) => x !== null);
  return `${b.name}${extras.length ? ` (${extras.join(', ')})` : ''}`;
}

/** "wasm · fused kernel": the backend a model was trained on, and the fused WebAssembly kernel when that path ran. */
export function backendName(name: BackendInfo['name'], path?: EnginePath | null): string {
  // On wasm and cpu the fused kernel is the rule: a run that trained on TensorFlow.js there (an adversarial or
  // Wasserstein autoencoder, a one-class network, RESIDUAL_FUSED=0) says so.
  return `${name}${path === 'wasm-fused' ? ' · fused kernel' : path === 'tfjs' && (name === 'wasm' || name === 'cpu') ? ' · TensorFlow.js' : ''}`;
}

/** What the name means, for a tooltip ("wasm: WebAssembly, on the CPU; set RESIDUAL_BACKEND to choose"). */
export function backendTitle(name: BackendInfo['name'] | null | undefined): string {
  if (!name) return 'The engine starts its backend with the first training or scoring (RESIDUAL_BACKEND chooses one)';
  return `Backend ${name}: ${MEANING[name] ?? name} (RESIDUAL_BACKEND chooses one)`;
}

export function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '–';
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s`;
  const m = Math.floor(seconds / 60);
  return `${m} min ${Math.round(seconds % 60)} s`;
}
