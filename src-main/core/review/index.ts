export * from './verdicts';
export * from './thresholds';
export * from './evaluation';
