import type { ImportPhase, ImportProgress } from '../../contract/data';
export type { ImportPhase, ImportProgress };
/** Throttled progress reports for a long import: at most one per interval, plus the last one. */

/** The share of the whole import one phase covers: [from, to). */
export interface PhaseSpan {
  from: number;
  to: number;
}

export const REPORT_INTERVAL_MS = 100;

export class ProgressReporter {
  private last = -Infinity;
  private readonly started = performance.now();

  constructor(
    private readonly totalBytes: number,
    private readonly onProgress?: (p: ImportProgress) => void,
  ) {}

  /** `done` 0..1 within the phase's span. `force` for the final report only. */
  report(phase: ImportPhase, span: PhaseSpan, done: number, bytesRead: number, rows: number, force = false): void {
    if (!this.onProgress) return;
    const now = performance.now();
    if (!force && now - this.last < REPORT_INTERVAL_MS) return;
    this.last = now;
    const seconds = (now - this.started) / 1000;
    const fraction = Math.min(1, span.from + (span.to - span.from) * Math.min(1, Math.max(0, done)));
    this.onProgress({
      bytesRead,
      totalBytes: this.totalBytes,
      rows,
      fraction,
      rowsPerSecond: seconds > 0 ? rows / seconds : 0,
      etaSeconds: fraction >= 0.01 ? Math.max(0, (seconds * (1 - fraction)) / fraction) : null,
      phase,
    });
  }
}
