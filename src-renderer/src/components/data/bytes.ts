/**
 * A file's size as people read it: whole bytes below 1 KiB ("33 B"), then KiB, MiB, GiB with three significant
 * digits at most ("4.58 KiB", "45.8 KiB", "458 KiB", "1.2 MiB"), never "0.0322 KiB".
 */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '–';
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes / 1024;
  let u = 0;
  // 1023.9 KiB would print as "1024 KiB": move to the next unit once the value rounds to 1024.
  while (u < units.length - 1 && v >= 1023.5) {
    v /= 1024;
    u++;
  }
  const digits = v < 10 ? 2 : v < 100 ? 1 : 0;
  return `${Number(v.toFixed(digits)).toLocaleString('en-US', { maximumFractionDigits: digits })} ${units[u]}`;
}
