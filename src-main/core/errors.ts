/**
 * The one error type core throws on purpose. `code` is stable (tests, UI and the contract match on it),
 * `message` is for the analyst: what went wrong, where (file, line, column, field) and what to do.
 */
export type ErrorCode =
  | 'BAD_INPUT'
  | 'BAD_FILE'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'CANCELLED'
  | 'SCHEMA'
  | 'TRAINING_DIVERGED'
  | 'BACKEND'
  | 'ENGINE_CRASHED'
  | 'INTERNAL';

export interface ErrorDetails {
  readonly file?: string;
  readonly line?: number;
  readonly column?: string | number;
  readonly field?: string;
  readonly [key: string]: unknown;
}

export class ResidualError extends Error {
  override readonly name = 'ResidualError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetails = {},
  ) {
    super(message);
  }

  toJSON(): { code: ErrorCode; message: string; details: ErrorDetails } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

export function isResidualError(e: unknown): e is ResidualError {
  return e instanceof ResidualError;
}

/** Thrown by long jobs when their AbortSignal fires. */
export function cancelled(what: string): ResidualError {
  return new ResidualError('CANCELLED', `${what} was cancelled; nothing was changed.`);
}
