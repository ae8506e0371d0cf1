// Types for scripts/electron-native.mjs (plain JavaScript, so `npm start` runs it with no build step).
export type ElectronFound = { bin: string; version: string } | { bin: null; why: string };

export declare const root: string;
export declare function electronPackageVersion(): string;
export declare function installedElectron(): ElectronFound;
export declare function electronBinary(options?: { download?: boolean }): ElectronFound;
export declare function electronVersionOf(bin: string): string;
export declare function electronSqlitePath(version: string): string;
export declare function electronSqlite(version: string, options?: { stderr?: 'inherit' | 'pipe' }): string;
