import { ref } from 'vue';

const media = window.matchMedia('(prefers-color-scheme: dark)');
/** Bumped when the OS switches between light and dark: chart options that read CSS variables depend on it. */
const tick = ref(0);
media.addEventListener('change', () => tick.value++);

/** A CSS variable of the current theme (ECharts cannot read var(--x) itself); reactive to theme switches. */
export function css(name: string, fallback: string): string {
  void tick.value;
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

/** Whether the dark theme is in force; reactive to theme switches. */
export function isDark(): boolean {
  void tick.value;
  return media.matches;
}
