import { isResidualError, plainError } from '../core/errors';

/** Where a command writes: results to stdout, progress and errors to stderr. Injectable for tests. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  readonly errIsTty: boolean;
}

export const processIo: Io = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  errIsTty: Boolean(process.stderr.isTTY),
};

export function printJson(io: Io, value: unknown): void {
  io.out(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n');
}

/** A table of strings, columns padded; numbers right-aligned. */
export function formatTable(headers: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = rows.map((r) => r.map((c) => (typeof c === 'number' ? formatNumber(c) : c)));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const numeric = headers.map((_h, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number'));
  const line = (r: readonly string[]): string =>
    r.map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n') + '\n';
}

export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(3);
  return v.toPrecision(4).replace(/\.?0+$/, '');
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)}s`;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  return m < 60 ? `${m}m${String(s).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** Progress on stderr: one rewritten line on a terminal, a line every few seconds otherwise. */
export function progressReporter(io: Io, label: string): { update(fraction: number, detail: string, etaSeconds: number | null): void; done(): void } {
  let last = 0;
  let shown = false;
  return {
    update(fraction, detail, etaSeconds) {
      const now = Date.now();
      if (now - last < (io.errIsTty ? 100 : 2000) && fraction < 1) return;
      last = now;
      const pct = `${(Math.min(1, Math.max(0, fraction)) * 100).toFixed(0).padStart(3)}%`;
      const eta = etaSeconds === null ? '' : `  ETA ${formatDuration(etaSeconds)}`;
      const text = `${label} ${pct}  ${detail}${eta}`;
      if (io.errIsTty) io.err(`\r\x1b[2K${text}`);
      else io.err(text + '\n');
      shown = true;
    },
    done() {
      if (shown && io.errIsTty) io.err('\n');
    },
  };
}

/**
 * Turns any failure into one clear stderr line and an exit status (2: bad usage or input, 1: the rest). With `json`,
 * stdout also gets one JSON document, `{"error": {"code", "message"}}`, so a script reading stdout sees the failure.
 */
export function reportError(io: Io, e: unknown, options: { json?: boolean } = {}): number {
  e = plainError(e) ?? e;
  let code: string;
  let message: string;
  let status: number;
  if (isResidualError(e)) {
    code = e.code;
    message = e.message;
    status = e.code === 'BAD_INPUT' || e.code === 'NOT_FOUND' || e.code === 'BAD_FILE' ? 2 : 1;
    io.err(`residual: ${message}\n`);
  } else if ((e as { code?: string } | null)?.code?.startsWith('ERR_PARSE_ARGS')) {
    code = 'BAD_INPUT';
    message = `${(e as Error).message}. Run "residual help" for usage.`;
    status = 2;
    io.err(`residual: ${message}\n`);
  } else {
    const err = e as Error;
    code = 'INTERNAL';
    message = `unexpected error: ${err?.message ?? String(e)}`;
    status = 1;
    io.err(`residual: unexpected error: ${err?.stack ?? String(e)}\n`);
  }
  if (options.json) printJson(io, { error: { code, message } });
  return status;
}
