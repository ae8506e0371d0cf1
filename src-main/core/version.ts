import pkg from '../../package.json' with { type: 'json' };

export const RESIDUAL_VERSION: string = pkg.version;
