import { ResidualError } from '../core/errors';
import { parseCommandArgs } from './command';
import { commands } from './commands';
import { processIo, reportError, type Io } from './output';

async function help(io: Io, name?: string): Promise<number> {
  if (name) {
    const entry = commands.find((c) => c.name === name);
    if (!entry) return reportError(io, new ResidualError('BAD_INPUT', `Unknown command "${name}". Run "residual help".`));
    const cmd = await entry.load();
    io.out(`${entry.summary}\n\nUsage: ${cmd.usage}\n`);
    return 0;
  }
  const width = Math.max(...commands.map((c) => c.name.length));
  io.out(
    'Residual: find anomalies in your own data with deep autoencoders.\n\n' +
      'Usage: residual <command> [options]\n\nCommands:\n' +
      commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n') +
      '\n  help'.padEnd(width + 3) +
      '  Show this help, or a command\'s: residual help <command>\n\n' +
      'Add --json for one JSON document on stdout (a failure too: {"error": {"code", "message"}}).\n' +
      'Environment: RESIDUAL_HOME, RESIDUAL_BACKEND, RESIDUAL_FUSED, RESIDUAL_FUSED_THREADS (see the README).\n',
  );
  return 0;
}

/** Runs one CLI invocation; returns the exit status. */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  const [name, ...rest] = argv;
  const json = rest.includes('--json');
  if (!name || name === 'help' || name === '--help' || name === '-h') return help(io, name === 'help' ? rest[0] : undefined);
  if (name === '--version' || name === '-v') {
    const { RESIDUAL_VERSION } = await import('../core/version');
    io.out(`${RESIDUAL_VERSION}\n`);
    return 0;
  }
  const entry = commands.find((c) => c.name === name);
  if (!entry) return reportError(io, new ResidualError('BAD_INPUT', `Unknown command "${name}". Commands: ${commands.map((c) => c.name).join(', ')}.`), { json });
  if (rest.includes('--help') || rest.includes('-h')) return help(io, entry.name);
  const controller = new AbortController();
  const onSigint = (): void => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    const cmd = await entry.load();
    const { values, positionals } = parseCommandArgs(cmd, rest);
    return await cmd.run({ values, positionals, io, signal: controller.signal });
  } catch (e) {
    return reportError(io, e, { json });
  } finally {
    process.off('SIGINT', onSigint);
  }
}
