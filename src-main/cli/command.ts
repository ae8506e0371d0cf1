import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ResidualError } from '../core/errors';
import type { Io } from './output';

type Options = NonNullable<ParseArgsConfig['options']>;
export type ParsedValues = Record<string, string | boolean | string[] | undefined>;

export interface Command {
  readonly name: string;
  /** Usage lines shown by `residual help <command>`. */
  readonly usage: string;
  readonly options: Options;
  readonly positionals?: number;
  run(ctx: CommandContext): Promise<number>;
}

export interface CommandContext {
  readonly values: ParsedValues;
  readonly positionals: readonly string[];
  readonly io: Io;
  /** Fires on Ctrl-C: long jobs stop cleanly and leave the project as it was. */
  readonly signal: AbortSignal;
}

export function parseCommandArgs(cmd: Command, argv: readonly string[]): { values: ParsedValues; positionals: string[] } {
  const { values, positionals } = parseArgs({ args: [...argv], options: cmd.options, allowPositionals: true, strict: true });
  const max = cmd.positionals ?? 0;
  if (positionals.length > max) {
    throw new ResidualError('BAD_INPUT', `residual ${cmd.name}: unexpected argument "${positionals[max]}".\nUsage: ${cmd.usage}`);
  }
  return { values: values as ParsedValues, positionals };
}

export function requireString(values: ParsedValues, name: string, cmd: Command): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '') {
    throw new ResidualError('BAD_INPUT', `residual ${cmd.name}: --${name} is required.\nUsage: ${cmd.usage}`, { field: name });
  }
  return v;
}

export function optionalString(values: ParsedValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

/** A number option, checked: names the flag and what it needs when the value is wrong. */
export function optionalNumber(values: ParsedValues, name: string, check: { integer?: boolean; min?: number; max?: number; exclusiveMin?: boolean } = {}): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const v = Number(raw);
  const bad =
    typeof raw !== 'string' ||
    raw.trim() === '' ||
    !Number.isFinite(v) ||
    (check.integer && !Number.isInteger(v)) ||
    (check.min !== undefined && (check.exclusiveMin ? v <= check.min : v < check.min)) ||
    (check.max !== undefined && v > check.max);
  if (bad) {
    const range = [
      check.integer ? 'a whole number' : 'a number',
      check.min !== undefined ? `${check.exclusiveMin ? 'above' : 'at least'} ${check.min}` : '',
      check.max !== undefined ? `at most ${check.max}` : '',
    ].filter(Boolean).join(', ');
    throw new ResidualError('BAD_INPUT', `--${name} must be ${range}; got "${String(raw)}".`, { field: name });
  }
  return v;
}

export function oneOf<T extends string>(values: ParsedValues, name: string, allowed: readonly T[]): T | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw new ResidualError('BAD_INPUT', `--${name} must be one of ${allowed.join(', ')}; got "${String(v)}".`, { field: name });
  }
  return v as T;
}

export function list(values: ParsedValues, name: string): string[] | undefined {
  const v = optionalString(values, name);
  if (v === undefined) return undefined;
  return v.split(',').map((s) => s.trim()).filter((s) => s !== '');
}
