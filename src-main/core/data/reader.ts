/**
 * One streaming pass over a file: bytes are hashed, checked, decoded and fed to the parser chunk
 * by chunk, so memory stays flat whatever the file size.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ResidualError, cancelled } from '../errors';
import type { CsvParser } from './csv-parser';
import { DecodeError, StreamDecoder, type Encoding } from './decode';
import { fileChanged } from './messages';

/** Large reads keep per-chunk overhead (decode calls, row re-scans at chunk edges) negligible. */
export const READ_CHUNK_BYTES = 1024 * 1024;

export interface ReadPassOptions {
  file: string;
  /** Bytes expected (from stat before the import started). */
  size: number;
  encoding: Encoding;
  parser: CsvParser;
  signal?: AbortSignal;
  /** For the cancellation message: "Import of x.csv". */
  what: string;
  onChunk?: (bytesRead: number) => void;
}

/** Line breaks (LF, CRLF, lone CR) among the bytes buf[0, end). */
function lineBreaksInBytes(buf: Uint8Array, end: number): number {
  let n = 0;
  for (let i = 0; i < end; i++) {
    const b = buf[i];
    if (b === 10) n++;
    else if (b === 13 && buf[i + 1] !== 10) n++;
  }
  return n;
}

function isFsError(e: unknown): e is NodeJS.ErrnoException {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string' && (e as NodeJS.ErrnoException).syscall !== undefined;
}

export function unreadable(file: string, e: NodeJS.ErrnoException): ResidualError {
  if (e.code === 'ENOENT') return new ResidualError('BAD_FILE', `${file} does not exist (any more). Check the path and the file name.`, { file });
  if (e.code === 'EACCES' || e.code === 'EPERM') return new ResidualError('BAD_FILE', `${file} cannot be read: permission denied. Check the file's permissions.`, { file });
  if (e.code === 'EISDIR') return new ResidualError('BAD_FILE', `${file} is a folder, not a file. Choose the CSV or TSV file inside it.`, { file });
  return new ResidualError('BAD_FILE', `${file} could not be read (${e.code}: ${e.message}). Check that the disk or share is available and import again.`, { file });
}

/**
 * The file an import reads, checked before anything is read: it exists, is readable, is a file and is not empty.
 * BAD_FILE naming the absolute path otherwise. Every format's import starts here.
 */
export async function statImportFile(file: string): Promise<{ abs: string; size: number }> {
  const abs = path.resolve(file);
  let stat: fs.Stats;
  try {
    stat = await fs.promises.stat(abs);
  } catch (e) {
    throw unreadable(abs, e as NodeJS.ErrnoException);
  }
  if (stat.isDirectory()) throw unreadable(abs, Object.assign(new Error('is a directory'), { code: 'EISDIR', syscall: 'stat' }));
  if (stat.size === 0) throw new ResidualError('BAD_FILE', `${abs} is empty (0 bytes): there is nothing to import. Check that the export finished.`, { file: abs });
  return { abs, size: stat.size };
}

/** A chunk's text; BAD_FILE naming the line and the byte where it is not valid UTF-8. */
function decodeChunk(decoder: StreamDecoder, chunk: Buffer, parser: CsvParser, bytesBefore: number, file: string): string {
  try {
    return decoder.decode(chunk);
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    const line = parser.lineAtEndOfInput() + lineBreaksInBytes(chunk, e.offset);
    throw new ResidualError(
      'BAD_FILE',
      `Line ${line} of ${file} is not valid UTF-8 (byte 0x${e.byte.toString(16).toUpperCase()} at byte ${bytesBefore + e.offset}), though the start of the file is. Save the whole file in one encoding (UTF-8 is best) and import again.`,
      { file, line },
    );
  }
}

/** Reads the whole file through `parser`; returns the SHA-256 of exactly the bytes read. */
export async function readPass(o: ReadPassOptions): Promise<{ sha256: string }> {
  const hash = createHash('sha256');
  const decoder = new StreamDecoder(o.encoding);
  const parser = o.parser;
  let bytes = 0;
  // Read no further than the size seen at the start, so a file that grows meanwhile reads as its old self.
  const stream = fs.createReadStream(o.file, { highWaterMark: READ_CHUNK_BYTES, end: Math.max(0, o.size - 1) });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      hash.update(chunk);
      const nul = chunk.indexOf(0);
      if (nul >= 0) {
        const line = parser.lineAtEndOfInput() + lineBreaksInBytes(chunk, nul);
        throw new ResidualError(
          'BAD_FILE',
          `Line ${line} of ${o.file} contains a NUL byte (0x00, at byte ${bytes + nul}), which text files do not have: the file is damaged or not CSV/TSV text. Re-export the data as CSV or TSV.`,
          { file: o.file, line },
        );
      }
      // ASCII once the header is behind: the parser's byte path reads the bytes themselves (see CsvParser.pushBytes).
      if (parser.byteRows !== null && decoder.plainAscii(chunk)) parser.pushBytes(chunk);
      else parser.push(decodeChunk(decoder, chunk, parser, bytes, o.file));
      bytes += chunk.length;
      o.onChunk?.(bytes);
      if (o.signal?.aborted) throw cancelled(o.what);
    }
  } catch (e) {
    if (isFsError(e)) throw unreadable(o.file, e);
    throw e;
  } finally {
    stream.destroy();
  }
  if (bytes !== o.size) throw fileChanged(o.file, `it had ${o.size.toLocaleString('en-US')} bytes when the import started, ${bytes.toLocaleString('en-US')} could be read`);
  let tail: string;
  try {
    tail = decoder.end();
  } catch {
    const line = parser.lineAtEndOfInput();
    throw new ResidualError('BAD_FILE', `${o.file} ends in the middle of a UTF-8 character (line ${line}); the file is cut short. Export it again.`, { file: o.file, line });
  }
  if (tail.length > 0) parser.push(tail);
  parser.end();
  return { sha256: hash.digest('hex') };
}
