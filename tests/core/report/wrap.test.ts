import { describe, expect, it } from 'vitest';
import { shellQuote } from '../../../src-main/core/report/format';
import { ellipsize, wrap, wrapCommand } from '../../../src-main/core/report/wrap';
import { shellWords } from './shell';

// A monospace stand-in for the PDF font: 5 points per character.
const measure = (s: string): number => Array.from(s).length * 5;

describe('wrap', () => {
  it('fills lines greedily at spaces and keeps every word', () => {
    const lines = wrap('the quick brown fox jumps over the lazy dog', 50, measure);
    expect(lines).toEqual(['the quick', 'brown fox', 'jumps over', 'the lazy', 'dog']);
    for (const l of lines) expect(measure(l)).toBeLessThanOrEqual(50);
  });

  it('breaks a word wider than the box by characters (hashes, paths)', () => {
    const hash = 'a'.repeat(64);
    const lines = wrap(`sha ${hash}`, 100, measure);
    expect(lines.join('')).toBe(`sha${hash}`);
    expect(lines.every((l) => measure(l) <= 100)).toBe(true);
    expect(lines).toHaveLength(5);
  });

  it('honours newlines and tabs', () => {
    expect(wrap('one\ntwo\tthree', 200, measure)).toEqual(['one', 'two three']);
    expect(wrap('', 200, measure)).toEqual(['']);
  });

  it('cuts to maxLines and ends the last kept line with an ellipsis that fits', () => {
    const lines = wrap('alpha beta gamma delta epsilon zeta eta theta', 50, measure, 2);
    expect(lines).toHaveLength(2);
    expect(lines[1]!.endsWith('…')).toBe(true);
    expect(measure(lines[1]!)).toBeLessThanOrEqual(50);
  });

  it('does not add an ellipsis when the text fits in maxLines', () => {
    expect(wrap('alpha beta', 40, measure, 2)).toEqual(['alpha', 'beta']);
  });
});

describe('ellipsize', () => {
  it('keeps text that fits and cuts text that does not', () => {
    expect(ellipsize('short', 50, measure)).toBe('short');
    const cut = ellipsize('a much longer label', 50, measure);
    expect(cut).toBe('a much lo…');
    expect(measure(cut)).toBeLessThanOrEqual(50);
  });

  it('gives nothing when not even the ellipsis fits', () => {
    expect(ellipsize('abc', 3, measure)).toBe('');
  });
});

describe('wrapCommand', () => {
  const path = "/home/ana/Case files/2025/Q3 – card transactions (Mike's export)/transactions-of-every-branch-office.csv";
  const command = `residual import ${shellQuote(path)} --project new.residual --name ${shellQuote("Mike's export")} --label is_fraud --positive 1 --ignore ${shellQuote('free text,notes')}`;

  it('keeps a short command on one line', () => {
    expect(wrapCommand('residual score --project new.residual', 400, measure)).toEqual(['residual score --project new.residual']);
  });

  it('wraps between words with " \\" and an indent, keeping a flag with its value, and the lines run as the same command', () => {
    const lines = wrapCommand('residual train --project new.residual --kind ae --layers 16,8 --epochs 50 --seed 0 --score-with-kl --loss mse', 200, measure);
    expect(lines).toEqual([
      'residual train --project new.residual \\',
      '  --kind ae --layers 16,8 --epochs 50 \\',
      '  --seed 0 --score-with-kl --loss mse',
    ]);
    expect(shellWords(lines.join('\n'))).toEqual(shellWords(lines.join(' ').replace(/ \\ /g, ' ')));
  });

  it('splits words wider than a line, inside quotes too, so that the copied lines still give the same words', () => {
    for (const width of [60, 85, 120, 200, 310]) {
      const lines = wrapCommand(command, width, measure);
      expect(lines.length, `width ${width}`).toBeGreaterThan(1);
      for (const l of lines) expect(measure(l), `width ${width}: ${l}`).toBeLessThanOrEqual(width);
      for (const l of lines.slice(0, -1)) expect(l.endsWith('\\'), l).toBe(true);
      expect(shellWords(lines.join('\n')), `width ${width}`).toEqual(shellWords(command));
    }
    expect(shellWords(command)).toEqual(['residual', 'import', path, '--project', 'new.residual', '--name', "Mike's export", '--label', 'is_fraud', '--positive', '1', '--ignore', 'free text,notes']);
  });

  it('never splits an escaped quote from its backslash', () => {
    const word = shellQuote("a'b'c'd'e'f'g'h");
    for (let width = 10; width <= 40; width += 5) expect(shellWords(wrapCommand(`x ${word}`, width, measure).join('\n'))).toEqual(['x', "a'b'c'd'e'f'g'h"]);
  });
});
