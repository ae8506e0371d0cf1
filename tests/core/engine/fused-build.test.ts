/**
 * The fused kernel's committed build against its sources: layout.h and layout.ts are what layout.json generates,
 * wasm.ts was built from the fused.c and layout.h in the tree (its sha256 stamp) and holds fused.wasm's bytes, the
 * wasm exports what layout.json declares, and — where clang and lld are installed — compiling fused.c again gives
 * the committed bytes.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { clangVersion, compileWasm, FUSED_DIR, generateLayout, readLayoutSpec, sourceDigest } from '../../../scripts/fused-layout.mjs';
import { compileKernel, instantiate } from '../../../src-main/core/engine/fused/instance';
import { ACT, encodeFusedSetup, FUSED_EXPORTS, FUSED_SETUP_BYTES, LOSS, MAXL } from '../../../src-main/core/engine/fused/layout';
import { FUSED_COMPILER, FUSED_SOURCE_SHA256, FUSED_WASM_BASE64 } from '../../../src-main/core/engine/fused/wasm';
import { tmpDir } from '../../helpers/tmp';

const FIX = 'run `npm run build:wasm` (it needs clang and lld: apt-get install -y clang lld) and commit what it writes';
const read = (name: string): string => fs.readFileSync(path.join(FUSED_DIR, name), 'utf8').replaceAll('\r\n', '\n');
const committed = (): Buffer => fs.readFileSync(path.join(FUSED_DIR, 'fused.wasm'));
const dir = tmpDir();

describe('the fused kernel as committed matches its sources', () => {
  it('layout.h and layout.ts are what layout.json generates', () => {
    const { header, ts } = generateLayout(readLayoutSpec());
    expect(read('layout.h') === header, `layout.h differs from what layout.json generates: ${FIX}`).toBe(true);
    expect(read('layout.ts') === ts, `layout.ts differs from what layout.json generates: ${FIX}`).toBe(true);
  });

  it('wasm.ts was built from the fused.c and layout.h in the tree, and holds the bytes of fused.wasm', () => {
    expect(FUSED_SOURCE_SHA256, `fused.c or layout.h changed since wasm.ts was built: ${FIX}`).toBe(sourceDigest());
    expect(Buffer.from(FUSED_WASM_BASE64, 'base64').equals(committed()), `wasm.ts and fused.wasm hold different bytes: ${FIX}`).toBe(true);
  });

  it('the wasm exports the functions layout.json declares, and no others of the kernel', () => {
    const ex = instantiate(compileKernel(committed())) as unknown as Record<string, unknown>;
    const functions = Object.keys(ex).filter((k) => k.startsWith('fz_') && typeof ex[k] === 'function');
    expect(functions.sort()).toEqual([...FUSED_EXPORTS].sort());
  });

  it('the kernel reads the setup where layout.ts writes it (a network of every width and activation sets up)', () => {
    const ex = instantiate(compileKernel(committed()));
    // 3 → 5 → 2 → 5 → 3 inputs: each padded to 4 or 8; the parameter count says the kernel read every width.
    const widths = [3, 5, 2, 5, 3];
    const acts = [ACT.tanh, ACT.leakyRelu, ACT.elu, ACT.linear];
    const layer = acts.map((act, l) => ({ inReal: widths[l]!, outReal: widths[l + 1]!, act, dropAfter: 0 }));
    const setup = encodeFusedSetup({ maxRows: 8, loss: LOSS.bce, codeLayer: 1, inputDims: 3, vaeHead: -1, latent: 0, scoreKl: 0, beta: 1, mmd: 0, mmdLambda: 0, layer });
    expect(setup.length).toBe(FUSED_SETUP_BYTES);
    new Uint8Array(ex.memory.buffer, ex.fz_setup_in(), setup.length).set(setup);
    expect(ex.fz_setup()).toBe(0);
    const pad = (n: number): number => Math.ceil(n / 4) * 4;
    expect(ex.fz_param_count()).toBe(layer.reduce((s, ly) => s + pad(ly.inReal) * pad(ly.outReal) + pad(ly.outReal), 0));
    expect(() => encodeFusedSetup({ maxRows: 1, loss: LOSS.mse, codeLayer: -1, inputDims: 1, vaeHead: -1, latent: 0, scoreKl: 0, beta: 1, mmd: 0, mmdLambda: 0, layer: Array.from({ length: MAXL + 1 }, () => layer[0]!) })).toThrow(
      `fz_setup_t.layer holds at most ${MAXL}; got ${MAXL + 1}`,
    );
  });

  it('a mistake in layout.json is named with where it is', () => {
    const spec = JSON.parse(read('layout.json')) as { structs: { fields: { type: string }[] }[]; enums: { ACT: { values: Record<string, number> } } };
    const badType = structuredClone(spec);
    badType.structs[1]!.fields[2]!.type = 'i64';
    expect(() => generateLayout(badType)).toThrow('layout.json: structs[1] (fz_setup_t).fields[2] (loss): type "i64" is neither i32, f32 nor a struct defined above');
    const twice = structuredClone(spec);
    twice.enums.ACT.values['relu'] = 0;
    expect(() => generateLayout(twice)).toThrow('layout.json: enums.ACT.values.relu: needs a camelCase name and a whole value used once');
  });
});

/** Why the rebuild cannot be checked here (null: it can). */
function rebuildUnavailable(): string | null {
  const clang = clangVersion();
  if (!clang) return 'clang is not installed (apt-get install -y clang lld)';
  try {
    execFileSync('wasm-ld', ['--version'], { stdio: 'ignore' });
  } catch {
    return 'wasm-ld (lld) is not installed (apt-get install -y lld)';
  }
  if (clang !== FUSED_COMPILER) return `the installed ${clang} is not the ${FUSED_COMPILER} that built fused.wasm, so its bytes may differ`;
  return null;
}

describe('rebuilding the fused kernel', () => {
  const why = rebuildUnavailable();
  it.skipIf(why !== null)(why ? `gives the committed bytes — skipped: ${why}` : 'gives the committed bytes with the compiler that built them', () => {
    const bytes = compileWasm(path.join(dir, 'fused.wasm'));
    expect(bytes.equals(committed()), `compiling fused.c gives ${bytes.length} bytes that differ from the committed fused.wasm (${committed().length}): ${FIX}`).toBe(true);
  });
});
