/**
 * The one error type core throws on purpose. `code` is stable (tests, UI and the contract match on it),
 * `message` is for the analyst: what went wrong, where (file, line, column, field) and what to do.
 */
import { contractError, type ContractError, type ErrorCode, type ErrorDetails } from '../contract/errors';

export type { ContractError, ErrorCode, ErrorDetails };

export class ResidualError extends Error {
  override readonly name = 'ResidualError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetails = {},
  ) {
    super(message);
  }

  toJSON(): ContractError {
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

/** What a SQLite or file-system failure means to the analyst, without a stack: busy, full, read-only, corrupt. */
export function plainError(e: unknown, file?: string): ResidualError | null {
  if (isResidualError(e)) return e;
  const code = (e as { code?: unknown } | null)?.code;
  const where = file ? ` (${file})` : '';
  const details = file ? { file } : {};
  if (typeof code === 'string') {
    if (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_') || code === 'SQLITE_LOCKED' || code.startsWith('SQLITE_LOCKED_')) {
      return new ResidualError('CONFLICT', `The project${where} is busy: another program or job is writing to it. Try again in a moment.`, details);
    }
    if (code === 'SQLITE_FULL' || code === 'ENOSPC') {
      return new ResidualError('DISK_FULL', `The disk holding the project${where} is full: nothing was changed. Free some space and try again.`, details);
    }
    if (code === 'SQLITE_READONLY' || code.startsWith('SQLITE_READONLY_') || code === 'EROFS' || code === 'EACCES' || code === 'EPERM') {
      return new ResidualError('READ_ONLY', `The project${where} cannot be written: the file or its folder is read-only for this user. Copy it somewhere writable, or change its permissions.`, details);
    }
    if (code === 'SQLITE_CORRUPT' || code.startsWith('SQLITE_CORRUPT_') || code === 'SQLITE_NOTADB') {
      return new ResidualError('BAD_FILE', `The project file${where} is damaged (SQLite: ${(e as Error).message}). Restore it from a backup.`, details);
    }
    if (code === 'SQLITE_IOERR' || code.startsWith('SQLITE_IOERR_')) {
      return new ResidualError('BAD_FILE', `The project file${where} could not be read or written (${(e as Error).message}): check the disk and that the file is still there.`, details);
    }
    if (code === 'SQLITE_ERROR' && /no such (table|column)/.test(String((e as Error).message))) {
      return new ResidualError('BAD_FILE', `The project file${where} is not a complete Residual project (${(e as Error).message}). Open a file that Residual created.`, details);
    }
  }
  if (e instanceof SyntaxError && /JSON/.test(e.message)) {
    return new ResidualError('BAD_FILE', `A stored record of the project${where} is damaged (${e.message}). Restore the project from a backup.`, details);
  }
  return null;
}

/**
 * Anything thrown, as it crosses a boundary: the machine's errors (SQLite, file system) mapped to ours first, then the
 * contract's one converter. Every host (job and query threads, the engine process, the bridge, Electron's IPC) uses it;
 * `file` (a job's project) is named in the machine's errors ("The disk holding the project (…) is full").
 */
export function toContractError(e: unknown, file?: string): ContractError {
  return contractError(plainError(e, file) ?? e);
}
