// Types for scripts/fused-layout.mjs (plain JavaScript, so that `npm run build:wasm` needs no build step).
export declare const FUSED_DIR: string;
export declare const WASM_SOURCES: readonly string[];
export declare const WASM_FLAGS: readonly string[];
export declare function readLayoutSpec(dir?: string): unknown;
export declare function generateLayout(spec: unknown): { header: string; ts: string };
export declare function sourceDigest(dir?: string): string;
export declare function clangVersion(clang?: string): string | null;
export declare function compileWasm(out: string, options?: { dir?: string; clang?: string; stdio?: 'pipe' | 'inherit' }): Buffer;
