/**
 * Line breaking and ellipsis against a measuring function (the PDF font's advance widths), so no drawn
 * line is ever wider than its box. Pure: the layout passes `doc.widthOfString` in.
 */
export type Measure = (text: string) => number;

const ELLIPSIS = '…';

/** The text when it fits `width`, else its longest prefix that fits with an ellipsis after it. */
export function ellipsize(text: string, width: number, measure: Measure): string {
  return measure(text) <= width ? text : cut(text, width, measure);
}

/** The longest proper prefix of `text` that fits `width` with an ellipsis after it. */
function cut(text: string, width: number, measure: Measure): string {
  if (measure(ELLIPSIS) > width) return '';
  const chars = Array.from(text);
  let lo = 0;
  let hi = chars.length - 1;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (measure(chars.slice(0, mid).join('') + ELLIPSIS) <= width) lo = mid;
    else hi = mid - 1;
  }
  return chars.slice(0, lo).join('').trimEnd() + ELLIPSIS;
}

/** Splits a word wider than `width` into pieces that fit (hashes, paths, long ids). */
function breakWord(word: string, width: number, measure: Measure): string[] {
  const chars = Array.from(word);
  const out: string[] = [];
  let start = 0;
  while (start < chars.length) {
    let lo = start + 1;
    let hi = chars.length;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (measure(chars.slice(start, mid).join('')) <= width) lo = mid;
      else hi = mid - 1;
    }
    out.push(chars.slice(start, lo).join(''));
    start = lo;
  }
  return out;
}

/**
 * Greedy word wrap: explicit newlines break, spaces are break opportunities, words wider than the box are
 * split by characters. With `maxLines`, the last kept line ends in an ellipsis when text was cut.
 */
export function wrap(text: string, width: number, measure: Measure, maxLines = Infinity): string[] {
  const lines: string[] = [];
  for (const paragraph of text.replace(/\r\n?/g, '\n').replace(/\t/g, ' ').split('\n')) {
    const words = paragraph.split(/ +/).filter((w) => w !== '');
    let line = '';
    for (const word of words) {
      const candidate = line ? `${line} ${word}` : word;
      if (measure(candidate) <= width) {
        line = candidate;
        continue;
      }
      if (line) lines.push(line);
      if (measure(word) <= width) {
        line = word;
      } else {
        const pieces = breakWord(word, width, measure);
        lines.push(...pieces.slice(0, -1));
        line = pieces[pieces.length - 1] ?? '';
      }
    }
    lines.push(line);
  }
  if (lines.length <= maxLines) return lines;
  const kept = lines.slice(0, Math.max(1, maxLines));
  const last = kept.length - 1;
  kept[last] = cut(`${kept[last]} ${lines[last + 1]}`, width, measure);
  return kept;
}

/**
 * A shell word split into units that must stay together: a backslash and the character it escapes (outside
 * quotes), or one character. `quoted` is the single-quote state after the unit.
 */
function shellUnits(word: string): { text: string; quoted: boolean }[] {
  const chars = Array.from(word);
  const out: { text: string; quoted: boolean }[] = [];
  let quoted = false;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (!quoted && c === '\\' && i + 1 < chars.length) {
      out.push({ text: c + chars[++i]!, quoted });
      continue;
    }
    if (c === "'") quoted = !quoted;
    out.push({ text: c, quoted });
  }
  return out;
}

/** The command's words: split at spaces outside single quotes and backslash escapes (as `shellQuote` writes them). */
function shellSplit(command: string): string[] {
  const words: string[] = [];
  let word = '';
  for (const unit of shellUnits(command)) {
    if (unit.text === ' ' && !unit.quoted) {
      if (word) words.push(word);
      word = '';
    } else {
      word += unit.text;
    }
  }
  if (word) words.push(word);
  return words;
}

/** Words grouped for wrapping: a `--flag` and the value after it stay on one line when they can. */
function shellChunks(command: string): string[][] {
  const words = shellSplit(command);
  const chunks: string[][] = [];
  for (let i = 0; i < words.length; i++) {
    const next = words[i + 1];
    if (words[i]!.startsWith('--') && !words[i]!.includes('=') && next !== undefined && !next.startsWith('-')) chunks.push([words[i]!, words[++i]!]);
    else chunks.push([words[i]!]);
  }
  return chunks;
}

/**
 * A POSIX shell command wrapped so that the lines, copied as they are, still run as the same command:
 * breaks between words end in " \" and the next line is indented (a flag and its value are kept together
 * when they fit a line); a word wider than a whole line is split with a backslash-newline (closing and
 * reopening single quotes around the break inside a quoted word), and the line after it starts at the
 * margin so no space enters the word. No line, its trailing backslash included, is wider than `width`
 * (unless not even one character fits).
 */
export function wrapCommand(command: string, width: number, measure: Measure, indent = '  '): string[] {
  const fits = (s: string): boolean => measure(s) <= width;
  const lines: string[] = [];
  // The line being filled; `empty` while it holds no word yet (only the indent, if any).
  let line = '';
  let empty = true;
  /** Adds `word` (spaces in it are the chunk's own) after the line's words, or on a new line, or split. */
  const place = (word: string): void => {
    const candidate = empty ? line + word : `${line} ${word}`;
    if (fits(`${candidate} \\`)) {
      line = candidate;
      empty = false;
      return;
    }
    if (!empty) {
      lines.push(`${line} \\`);
      line = indent;
      empty = true;
      if (fits(`${line}${word} \\`)) {
        line += word;
        empty = false;
        return;
      }
    }
    // The word does not fit a line of its own: split it between units.
    // After each unit the line keeps room for what ends it there: the closing backslash (and quote), or
    // after the word's last unit " \\" in case the next word goes on the next line.
    let quoted = false;
    const units = shellUnits(word);
    units.forEach((unit, i) => {
      const close = i === units.length - 1 ? ' \\' : unit.quoted ? "'\\" : '\\';
      if (!empty && !fits(line + unit.text + close)) {
        lines.push(line + (quoted ? "'\\" : '\\'));
        line = quoted ? "'" : '';
      }
      line += unit.text;
      empty = false;
      quoted = unit.quoted;
    });
  };
  for (const chunk of shellChunks(command)) {
    const joined = chunk.join(' ');
    const together = chunk.length > 1 && (fits(`${empty ? line + joined : `${line} ${joined}`} \\`) || fits(`${indent}${joined} \\`));
    if (together) place(joined);
    else chunk.forEach(place);
  }
  lines.push(line);
  return lines;
}
