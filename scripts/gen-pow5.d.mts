// Types of scripts/gen-pow5.mjs for the tests (tests/core/data/fastcsv.test.ts).
export declare const POW5_MIN: number;
export declare const POW5_MAX: number;
export declare const POW5_BEGIN: string;
export declare const POW5_END: string;
export declare function pow5Mantissa(q: number): [bigint, bigint];
export declare function renderPow5Table(): string;
export declare function committedPow5Table(source: string): string | null;
