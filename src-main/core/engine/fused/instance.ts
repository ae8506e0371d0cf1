import type { FusedExports } from './layout';

// tsconfig has no DOM lib and @types/node declares only part of WebAssembly: the few members used here.
export interface WasmModule {
  readonly __wasmModule?: never;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (m: WasmModule, imports: object) => { exports: unknown };
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** The kernel compiled from its bytes (throws when this runtime cannot: no WebAssembly SIMD …). */
export function compileKernel(bytes: Uint8Array): WasmModule {
  return new WA.Module(bytes);
}

/** A fresh instance of the kernel (its own memory, hence one network). */
export function instantiate(module: WasmModule): FusedExports {
  return new WA.Instance(module, {}).exports as FusedExports;
}
