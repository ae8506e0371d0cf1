import { main } from '../../src-main/cli/main';
import type { Io } from '../../src-main/cli/output';

/** One `residual` invocation in this process (the TypeScript sources), with what it printed on each stream. */
export async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => void (out += t), err: (t) => void (err += t), errIsTty: false };
  const code = await main(argv, io);
  return { code, out, err };
}
