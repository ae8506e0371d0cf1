/** Guesses the delimiter and the decimal mark from the first lines of a file. */
import { CsvParser, CsvSyntaxError } from './csv-parser';
import { parseNumber } from './values';

/** In order of preference when two fit equally well. */
export const DELIMITERS = [',', '\t', ';', '|'] as const;
const SNIFF_ROWS = 50;
const SNIFF_CHARS = 256 * 1024;

class EnoughRows extends Error {}

/** Field counts of the first rows (header included), skipping blank lines. */
function fieldCounts(text: string, delimiter: string, complete: boolean, maxRows: number): number[] {
  const counts: number[] = [];
  const parser = new CsvParser(delimiter, (row) => {
    if (row.count === 1 && row.ends[0] === row.starts[0]) return;
    counts.push(row.count);
    if (counts.length >= maxRows) throw new EnoughRows();
  });
  try {
    parser.push(text);
    if (complete) parser.end();
  } catch (e) {
    // A quote that does not close within the sample says nothing against this delimiter by itself.
    if (!(e instanceof EnoughRows) && !(e instanceof CsvSyntaxError)) throw e;
  }
  return counts;
}

/**
 * The candidate whose field counts agree best with the header's over the first rows (quotes
 * respected, so delimiters inside quoted text do not count); ties go to more fields, then to the
 * order of DELIMITERS. A file with one column comes out as ','.
 */
export function sniffDelimiter(sample: string, complete: boolean): string {
  const text = sample.length > SNIFF_CHARS ? sample.slice(0, SNIFF_CHARS) : sample;
  const cut = complete && text.length === sample.length;
  let best: string = DELIMITERS[0];
  let bestScore = -1;
  let bestFields = 0;
  for (const d of DELIMITERS) {
    const counts = fieldCounts(text, d, cut, SNIFF_ROWS);
    const header = counts[0] ?? 0;
    if (header < 2) continue;
    const agree = counts.filter((n) => n === header).length / counts.length;
    if (agree > bestScore || (agree === bestScore && header > bestFields)) {
      best = d;
      bestScore = agree;
      bestFields = header;
    }
  }
  return best;
}

/**
 * Decimal commas ("1,5") are only possible when ',' is not the delimiter; Residual reads them
 * when the delimiter is ';' and the sample's numbers with a comma outnumber those with a point.
 */
export function sniffDecimalComma(sample: string, delimiter: string, complete: boolean): boolean {
  if (delimiter !== ';') return false;
  const text = sample.length > SNIFF_CHARS ? sample.slice(0, SNIFF_CHARS) : sample;
  let comma = 0;
  let point = 0;
  let header = true;
  const parser = new CsvParser(delimiter, (row) => {
    if (header) {
      header = false;
      return;
    }
    for (let i = 0; i < row.count; i++) {
      const f = row.field(i);
      if (f.includes(',') && !Number.isNaN(parseNumber(f, true))) comma++;
      else if (f.includes('.') && !Number.isNaN(parseNumber(f, false))) point++;
    }
  });
  try {
    parser.push(text);
    if (complete && text.length === sample.length) parser.end();
  } catch (e) {
    if (!(e instanceof CsvSyntaxError)) throw e;
  }
  return comma > point;
}

export interface TextFormat {
  delimiter: string;
  decimalComma: boolean;
}

export function sniffFormat(sample: string, complete: boolean): TextFormat {
  const delimiter = sniffDelimiter(sample, complete);
  return { delimiter, decimalComma: sniffDecimalComma(sample, delimiter, complete) };
}
