/**
 * What a file is before it is read in full: size, encoding, delimiter, decimal mark and header,
 * all from a sample at its start. Shared by the import and the preview.
 */
import fs from 'node:fs';
import { ResidualError } from '../errors';
import { CsvParser } from './csv-parser';
import { DecodeError, StreamDecoder, detectEncoding, type Encoding } from './decode';
import { toResidualError } from './messages';
import { statImportFile, unreadable } from './reader';
import { sniffFormat } from './sniff';

/** Enough for the encoding check and the delimiter sniff, and the preview's rows. */
export const SAMPLE_BYTES = 1024 * 1024;

export interface SourceInfo {
  /** Absolute path. */
  file: string;
  size: number;
  encoding: Encoding;
  delimiter: string;
  decimalComma: boolean;
  header: string[];
  /** Physical line of the header (1 unless blank lines come first). */
  headerLine: number;
  /** The sample, decoded (an incomplete last character dropped). */
  sampleText: string;
  /** The sample is the whole file. */
  complete: boolean;
}

async function readSample(file: string, size: number): Promise<Buffer> {
  const fh = await fs.promises.open(file, 'r');
  try {
    const buf = Buffer.alloc(Math.min(size, SAMPLE_BYTES));
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

function lineOfOffset(buf: Buffer, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (buf[i] === 10) line++;
  return line;
}

class HeaderFound extends Error {}

/** The first non-blank row of the sample, trimmed names; errors for a file with no row at all. */
function readHeader(text: string, delimiter: string, complete: boolean, file: string): { names: string[]; line: number } {
  let header: { names: string[]; line: number } | null = null;
  const parser = new CsvParser(delimiter, (row) => {
    const fields = row.fields();
    if (fields.length === 1 && row.flags[0] === 0 && fields[0]!.trim() === '') return;
    header = { names: fields.map((f) => f.trim()), line: row.line };
    throw new HeaderFound();
  });
  try {
    parser.push(text);
    if (complete) parser.end();
  } catch (e) {
    if (!(e instanceof HeaderFound)) throw toResidualError(e, file, []);
  }
  if (header) return header;
  if (complete) throw new ResidualError('BAD_FILE', `${file} holds only blank lines: there is nothing to import.`, { file });
  throw new ResidualError('BAD_FILE', `The first line of ${file} is longer than ${SAMPLE_BYTES / 1024 / 1024} MiB; this does not look like a CSV or TSV file.`, { file, line: 1 });
}

/** Header names must be present and unique: they become the column names. */
function checkHeader(header: string[], line: number, file: string): void {
  const empty = header.map((h, i) => (h === '' ? i + 1 : 0)).filter((i) => i > 0);
  if (empty.length > 0) {
    const which = empty.length === 1 ? `Column ${empty[0]} has` : `Columns ${empty.join(', ')} have`;
    const last = empty.includes(header.length) ? ' (a delimiter at the end of the header line also makes an empty last column)' : '';
    throw new ResidualError('BAD_FILE', `${which} no name in the header (line ${line}) of ${file}${last}. Give every column a name and import again.`, {
      file,
      line,
      column: empty[0],
    });
  }
  const seen = new Map<string, number[]>();
  header.forEach((h, i) => seen.set(h, [...(seen.get(h) ?? []), i + 1]));
  const dups = [...seen].filter(([, at]) => at.length > 1);
  if (dups.length > 0) {
    const list = dups.map(([name, at]) => `"${name}" (columns ${at.join(' and ')})`).join(', ');
    throw new ResidualError('BAD_FILE', `Column names in the header (line ${line}) of ${file} must be unique, but these repeat: ${list}. Rename them and import again.`, {
      file,
      line,
      column: dups[0]![0],
    });
  }
}

export async function inspectFile(file: string): Promise<SourceInfo> {
  const { abs, size } = await statImportFile(file);
  let sample: Buffer;
  try {
    sample = await readSample(abs, size);
  } catch (e) {
    throw unreadable(abs, e as NodeJS.ErrnoException);
  }
  const complete = sample.length >= size;
  const verdict = detectEncoding(sample, complete);
  if (!verdict.ok) {
    if (verdict.reason === 'utf-16') {
      throw new ResidualError('BAD_FILE', `${abs} is UTF-16 text; Residual reads UTF-8 and Windows-1252. Save it as "CSV UTF-8" (or UTF-8 text) and import again.`, { file: abs, line: 1 });
    }
    const line = lineOfOffset(sample, verdict.offset);
    throw new ResidualError(
      'BAD_FILE',
      `${abs} does not look like CSV or TSV text: line ${line} contains a NUL byte (0x00, at byte ${verdict.offset}), as binary files (spreadsheets, archives) do. Export the data as CSV or TSV and import that.`,
      { file: abs, line },
    );
  }
  const decoder = new StreamDecoder(verdict.encoding);
  let sampleText: string;
  try {
    sampleText = decoder.decode(sample) + (complete ? decoder.end() : '');
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    // Only a file that starts with a UTF-8 BOM gets here: the BOM promised UTF-8.
    const line = lineOfOffset(sample, e.offset < 0 ? sample.length : e.offset);
    throw new ResidualError('BAD_FILE', `Line ${line} of ${abs} is not valid UTF-8, though the file starts with a UTF-8 byte order mark. Save the whole file as UTF-8 and import again.`, { file: abs, line });
  }
  if (sampleText.trim() === '') throw new ResidualError('BAD_FILE', `${abs} holds only blank lines: there is nothing to import.`, { file: abs });
  const { delimiter, decimalComma } = sniffFormat(sampleText, complete);
  const header = readHeader(sampleText, delimiter, complete, abs);
  checkHeader(header.names, header.line, abs);
  return { file: abs, size: size, encoding: verdict.encoding, delimiter, decimalComma, header: header.names, headerLine: header.line, sampleText, complete };
}

