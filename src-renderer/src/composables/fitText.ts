/**
 * A column name shortened to `px` from the middle, keeping what tells columns apart: the first word and as many
 * trailing words as fit ("worst…concave points", "fractal…error"), else the first word cut short before the rest,
 * else characters from both ends. `width` measures a text in the font it is drawn in.
 */
export function fitName(name: string, px: number, width: (text: string) => number): string {
  if (width(name) <= px + 0.5) return name;
  const words = name.split(/\s+/);
  for (let k = words.length - 2; k >= 1; k--) {
    const s = `${words[0]}…${words.slice(-k).join(' ')}`;
    if (width(s) <= px) return s;
  }
  // Else the first word cut short before the rest ("compactn… error", "wor… symmetry").
  const rest = words.slice(1).join(' ');
  for (let h = words[0]!.length - 1; rest && h >= 3; h--) {
    const s = `${words[0]!.slice(0, h)}… ${rest}`;
    if (width(s) <= px) return s;
  }
  for (let n = name.length - 1; n >= 2; n--) {
    const head = Math.max(1, Math.round(n * 0.4));
    const s = `${name.slice(0, head).trimEnd()}…${name.slice(name.length - (n - head)).trimStart()}`;
    if (width(s) <= px) return s;
  }
  return `…${name.slice(-2)}`;
}

/** The Ranking's Id column: at least 4rem, at most 18rem (past that the id is cut with … and its tooltip holds it whole). */
export const ID_COLUMN_REM = { min: 4, max: 18 } as const;

/**
 * The Id column's width in rem for ids `widestPx` wide (the widest seen so far, measured in the ids' font, `remPx` to
 * a rem): the whole id ("sneaker/sneaker-12.png") when it fits under the cap, so names that differ at the end are not
 * cut to the same "sneaker/snea…".
 */
export function idColumnRem(widestPx: number, remPx: number): number {
  const want = Math.ceil(((Number.isFinite(widestPx) ? widestPx : 0) + 2) / Math.max(1, remPx) * 10) / 10;
  return Math.min(ID_COLUMN_REM.max, Math.max(ID_COLUMN_REM.min, want));
}
