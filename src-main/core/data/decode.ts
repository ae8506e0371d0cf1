/**
 * Bytes → text. The encoding is decided once from a sample at the start of the file; the stream
 * decoder then turns each chunk into a string and reports where bytes cannot be decoded.
 */
import { isAscii, isUtf8 } from 'node:buffer';
import { TextDecoder } from 'node:util';

export type Encoding = 'utf-8' | 'utf-8-bom' | 'windows-1252';

export type SampleVerdict =
  | { ok: true; encoding: Encoding }
  | { ok: false; reason: 'nul' | 'utf-16'; offset: number };

/**
 * UTF-8 (with or without BOM) when the sample is valid UTF-8, else Windows-1252 (a superset of
 * Latin-1 that every byte decodes in). NUL bytes mean binary data or UTF-16, neither of which is
 * a CSV Residual can read. `complete` says the sample is the whole file (so its end is no cut).
 */
export function detectEncoding(sample: Buffer, complete: boolean): SampleVerdict {
  if ((sample[0] === 0xff && sample[1] === 0xfe) || (sample[0] === 0xfe && sample[1] === 0xff)) return { ok: false, reason: 'utf-16', offset: 0 };
  const nul = sample.indexOf(0);
  if (nul >= 0) return { ok: false, reason: 'nul', offset: nul };
  // A BOM is a deliberate statement: bytes that break UTF-8 later are then errors, not another encoding.
  if (sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) return { ok: true, encoding: 'utf-8-bom' };
  const body = complete ? sample : sample.subarray(0, sample.length - incompleteTail(sample));
  return { ok: true, encoding: isUtf8(body) ? 'utf-8' : 'windows-1252' };
}

/** Bytes at the end of `buf` that start a UTF-8 sequence the buffer cuts short (0..3). */
export function incompleteTail(buf: Uint8Array): number {
  const n = buf.length;
  for (let back = 1; back <= Math.min(3, n); back++) {
    const b = buf[n - back]!;
    if ((b & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > back ? back : 0;
  }
  return 0;
}

/** Offset of the first byte of buf that breaks UTF-8 (skipping `skip` leading bytes), or -1. */
export function firstInvalidUtf8(buf: Uint8Array, skip = 0): number {
  let i = skip;
  const n = buf.length;
  while (i < n) {
    const b = buf[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      else if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      else if (b === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= need; k++) {
      const c = buf[i + k];
      if (c === undefined) return -1; // cut at the end of the buffer: the stream's next chunk decides
      if (c < (k === 1 ? lo : 0x80) || c > (k === 1 ? hi : 0xbf)) return i;
    }
    i += need + 1;
  }
  return -1;
}

export class DecodeError extends Error {
  constructor(
    /** Offset within the chunk given to `decode`. */
    readonly offset: number,
    readonly byte: number,
  ) {
    super(`invalid byte 0x${byte.toString(16).padStart(2, '0')}`);
    this.name = 'DecodeError';
  }
}

/** Chunk-by-chunk decoder; multi-byte characters split across chunks are carried over. */
export class StreamDecoder {
  private readonly td: TextDecoder;
  /** BOM bytes still to drop (the sample check saw them; a first chunk may be shorter than three bytes). */
  private bomLeft: number;
  /** Bytes of an unfinished UTF-8 sequence the TextDecoder holds from the previous chunk. */
  private pending = 0;
  private readonly utf8: boolean;

  constructor(readonly encoding: Encoding) {
    this.utf8 = encoding !== 'windows-1252';
    this.bomLeft = encoding === 'utf-8-bom' ? 3 : 0;
    // The BOM is dropped by hand (first chunk) so that any later U+FEFF stays in the data.
    this.td = this.utf8 ? new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }) : new TextDecoder('windows-1252');
  }

  /** The chunk is ASCII and nothing is pending: its bytes are its text (decode would answer them as latin1). */
  plainAscii(chunk: Buffer): boolean {
    return this.pending === 0 && this.bomLeft === 0 && isAscii(chunk);
  }

  decode(chunk: Buffer): string {
    let buf = chunk;
    if (this.bomLeft > 0) {
      const drop = Math.min(this.bomLeft, buf.length);
      this.bomLeft -= drop;
      buf = buf.subarray(drop);
    }
    // ASCII reads the same in all three encodings, and latin1 is by far the fastest way to a string.
    if (this.pending === 0 && isAscii(buf)) return buf.toString('latin1');
    if (!this.utf8) return this.td.decode(buf, { stream: true });
    try {
      const text = this.td.decode(buf, { stream: true });
      this.pending = incompleteTail(buf);
      return text;
    } catch {
      const at = Math.max(0, firstInvalidUtf8(buf, this.pending > 0 ? leadingContinuations(buf) : 0));
      throw new DecodeError(at + (chunk.length - buf.length), buf[at] ?? 0);
    }
  }

  /** End of input: an unfinished UTF-8 sequence at the very end cannot be decoded. */
  end(): string {
    if (!this.utf8) return '';
    try {
      return this.td.decode();
    } catch {
      throw new DecodeError(-1, 0);
    }
  }
}

function leadingContinuations(buf: Uint8Array): number {
  let i = 0;
  while (i < 3 && i < buf.length && (buf[i]! & 0xc0) === 0x80) i++;
  return i;
}
