import { ref } from 'vue';

const media = window.matchMedia('(prefers-color-scheme: dark)');
/** Bumped when the OS switches light/dark: chart options that read CSS variables depend on it. */
export const themeTick = ref(0);
media.addEventListener('change', () => themeTick.value++);

/** A CSS variable of the current theme (charts cannot read var(--x) themselves). */
export function cssVar(name: string): string {
  void themeTick.value;
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

/** Axis and label colours for charts, from the theme's variables. */
export function chartInk(): { fg: string; muted: string; border: string; accent: string; panel: string } {
  return { fg: cssVar('--fg'), muted: cssVar('--muted'), border: cssVar('--border'), accent: cssVar('--accent'), panel: cssVar('--panel') };
}
