import type { BackendInfo, EnginePath } from '../../../../src-main/contract';

const NAMES: Record<BackendInfo['name'], string> = { 'tensorflow-cuda': 'TensorFlow + CUDA (GPU)', tensorflow: 'TensorFlow (CPU)', wasm: 'WebAssembly', cpu: 'plain JavaScript' };

/** "WebAssembly (SIMD)" for the header's engine badge and the run stats. */
export function backendText(b: BackendInfo | null | undefined): string {
  if (!b) return 'starting…';
  const extras = [b.simd ? 'SIMD' : null, b.threads ? 'threads' : null, b.forced ? 'forced' : null].filter((x) => x !== null);
  return `${NAMES[b.name] ?? b.name}${extras.length ? ` (${extras.join(', ')})` : ''}`;
}

/** The backend, and the fused WebAssembly kernel when that path trained the model. */
export function backendName(name: BackendInfo['name'], path?: EnginePath | null): string {
  return `${NAMES[name] ?? name}${path === 'wasm-fused' ? ' · fused kernel' : ''}`;
}

export function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '–';
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s`;
  const m = Math.floor(seconds / 60);
  return `${m} min ${Math.round(seconds % 60)} s`;
}
