/**
 * Residual's engine: autoencoders (plain, sparse, denoising, variational) trained on a project's dataset,
 * scoring with per-row and per-column reconstruction errors, explanations in the data's own units.
 *
 * Long jobs (`trainModel`, `scoreDataset`) take `{ signal, onProgress }`, yield to the event loop between
 * batches and write everything they store in one transaction.
 */
export { backendInfo, BACKEND_ENV, initBackend, keepNativeBackendsOut, parseBackendName, WASM_DIR_ENV } from './backend';
export { proposeSettings, BASE_SETTINGS } from './wizard';
export { trainModel } from './train';
export { scoreDataset } from './score';
export { explainRows } from './explain';
export { readFeatureErrors, readRankWindow, readRowErrors, splitOf } from './results';
export { getHistory, getModel, getScore, latestScore, listModels, listScores } from './repo';
export { readLabels } from './split';
export { parseOverrides } from './settings';
export { MISSING_CATEGORY, OTHER_CATEGORY } from './preprocess';
export { BACKEND_NAMES, SPLIT_EXCLUDED, SPLIT_TRAIN, SPLIT_VALIDATION } from './types';
export type * from './types';
