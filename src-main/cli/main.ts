import { ResidualError } from '../core/errors';
import { parseCommandArgs, type Command } from './command';
import { commands } from './commands';
import { processIo, reportError, type Io } from './output';

function help(io: Io, name?: string): number {
  if (name) {
    const cmd = commands.find((c) => c.name === name);
    if (!cmd) return reportError(io, new ResidualError('BAD_INPUT', `Unknown command "${name}". Run "residual help".`));
    io.out(`${cmd.summary}\n\nUsage: ${cmd.usage}\n`);
    return 0;
  }
  const width = Math.max(...commands.map((c) => c.name.length));
  io.out(
    'Residual: find anomalies in your own data with deep autoencoders.\n\n' +
      'Usage: residual <command> [options]\n\nCommands:\n' +
      commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n') +
      '\n  help'.padEnd(width + 3) +
      '  Show this help, or a command\'s: residual help <command>\n\nAdd --json for one JSON document on stdout.\n',
  );
  return 0;
}

/** Runs one CLI invocation; returns the exit status. */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') return help(io, name === 'help' ? rest[0] : undefined);
  if (name === '--version' || name === '-v') {
    const { RESIDUAL_VERSION } = await import('../core/version');
    io.out(`${RESIDUAL_VERSION}\n`);
    return 0;
  }
  const cmd: Command | undefined = commands.find((c) => c.name === name);
  if (!cmd) return reportError(io, new ResidualError('BAD_INPUT', `Unknown command "${name}". Commands: ${commands.map((c) => c.name).join(', ')}.`));
  if (rest.includes('--help') || rest.includes('-h')) return help(io, cmd.name);
  const controller = new AbortController();
  const onSigint = (): void => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    const { values, positionals } = parseCommandArgs(cmd, rest);
    return await cmd.run({ values, positionals, io, signal: controller.signal });
  } catch (e) {
    return reportError(io, e);
  } finally {
    process.off('SIGINT', onSigint);
  }
}
