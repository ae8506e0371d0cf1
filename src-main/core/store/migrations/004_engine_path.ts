/** Which training path built a model ('wasm-fused' or 'tfjs'); NULL for models trained before paths existed. */
export const up = `
ALTER TABLE models ADD COLUMN engine_path TEXT CHECK (engine_path IN ('wasm-fused', 'tfjs'));
`;
