/**
 * Errors as they cross a boundary (IPC, HTTP, worker threads, the CLI's --json): one list of codes, one shape, one
 * converter. Core throws `ResidualError` with one of these codes; hosts send `toContractError(e)`; clients rebuild an
 * error from the same shape. Part of the contract: imports nothing.
 */

/** Every code an error may carry on the wire, with its HTTP status in browser mode (the caller's fault 4xx, the machine's 5xx). */
export const ERROR_STATUS = {
  /** A request or file field is wrong; the message names it and says what to do. */
  BAD_INPUT: 400,
  /** A file (data, project, model weights) cannot be used as it is. */
  BAD_FILE: 422,
  /** The project file is of a newer or unknown schema. */
  SCHEMA: 422,
  /** Training produced non-finite losses. */
  TRAINING_DIVERGED: 422,
  /** Refused by the file policy or the window check. */
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  /** The project is busy (another writer) or the request conflicts with its state. */
  CONFLICT: 409,
  CANCELLED: 409,
  READ_ONLY: 409,
  DISK_FULL: 507,
  /** No tensor backend could be loaded. */
  BACKEND: 500,
  /** The engine thread or process stopped; it restarts on the next request. */
  ENGINE_CRASHED: 503,
  INTERNAL: 500,
  // Refusals of the browser-mode bridge, before any method runs.
  /** The request address or body could not be read. */
  BAD_REQUEST: 400,
  TOKEN_REQUIRED: 401,
  TOKEN_INVALID: 401,
  FORBIDDEN_ORIGIN: 403,
  FORBIDDEN_HOST: 421,
  METHOD_NOT_ALLOWED: 405,
  /** Client side only: the app's server or main process could not be reached. */
  DISCONNECTED: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;
export const ERROR_CODES = Object.keys(ERROR_STATUS) as readonly ErrorCode[];

export interface ErrorDetails {
  readonly file?: string;
  readonly line?: number;
  readonly column?: string | number;
  readonly field?: string;
  readonly [key: string]: unknown;
}

/** An error on the wire. */
export interface ContractError {
  readonly code: ErrorCode;
  readonly message: string;
  readonly details: ErrorDetails;
}

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.prototype.hasOwnProperty.call(ERROR_STATUS, code);
}

/**
 * The one converter: anything thrown, as a ContractError. An error carrying one of our codes keeps it, its message and
 * details; anything else (a bug, a foreign library's error) becomes INTERNAL with its message. Hosts first map the
 * machine's errors (SQLite busy, disk full …) to ours with core's `plainError`; core's `toContractError` does both.
 */
export function contractError(e: unknown): ContractError {
  const x = e as { code?: unknown; message?: unknown; details?: unknown } | null | undefined;
  if (x && isErrorCode(x.code) && typeof x.message === 'string') {
    const details = x.details && typeof x.details === 'object' ? (x.details as ErrorDetails) : {};
    return { code: x.code, message: x.message, details };
  }
  const message = e instanceof Error ? e.message : typeof x?.message === 'string' ? x.message : String(e);
  return { code: 'INTERNAL', message: `Internal error: ${message}`, details: {} };
}
