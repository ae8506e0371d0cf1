export * from './store';
export * from './types';
export * from './trash';
