/**
 * The Ranking's review keys as one table: which key does what. Pure (no DOM access beyond reading the event), so the
 * table view and the help overlay share it and it is tested without a browser.
 */
export type ReviewAction = 'down' | 'up' | 'pageDown' | 'pageUp' | 'first' | 'last' | 'anomaly' | 'normal' | 'unsure' | 'clear' | 'note' | 'help';

const KEYS: Readonly<Record<string, ReviewAction>> = {
  ArrowDown: 'down',
  ArrowUp: 'up',
  PageDown: 'pageDown',
  PageUp: 'pageUp',
  Home: 'first',
  End: 'last',
  a: 'anomaly',
  f: 'normal',
  u: 'unsure',
  x: 'clear',
  n: 'note',
  '?': 'help',
};

interface KeyTarget {
  readonly tagName?: string;
  readonly type?: string;
  readonly isContentEditable?: boolean;
}

/** Whether a key goes to a field being typed in (text inputs, text areas, selects, editable text): then it is the field's, not a shortcut. */
export function typingIn(target: unknown): boolean {
  const el = target as KeyTarget | null;
  if (!el || !el.tagName) return false;
  if (el.tagName === 'INPUT') return !['checkbox', 'radio', 'button', 'submit', 'reset', 'range'].includes(el.type ?? 'text');
  return el.isContentEditable === true || ['TEXTAREA', 'SELECT'].includes(el.tagName);
}

/** The review action of a key press, or null: modifier chords and keys typed into a field are not review keys. */
export function reviewAction(e: { readonly key: string; readonly ctrlKey: boolean; readonly metaKey: boolean; readonly altKey: boolean; readonly target: unknown }): ReviewAction | null {
  if (e.ctrlKey || e.metaKey || e.altKey || typingIn(e.target)) return null;
  return KEYS[e.key.length === 1 ? e.key.toLowerCase() : e.key] ?? null;
}
