// Types of scripts/build-data-wasm.mjs for the tests (tests/core/data/fastcsv.test.ts).
export declare const DATA_DIR: string;
export declare const DATA_SOURCE: string;
export declare const DATA_WASM_TS: string;
export declare const DATA_WASM_FLAGS: readonly string[];
export declare function dataSourceDigest(dir?: string): string;
export declare function dataClangVersion(clang?: string): string | null;
export declare function compileDataWasm(opts?: { dir?: string; clang?: string; stdio?: 'pipe' | 'inherit' }): Buffer;
export declare function renderDataWasmTs(bytes: Buffer, digest: string, compiler: string | null): string;
