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

/** The actions that move the selection (the others mark the row, open its note or the help). */
export type MoveAction = Extract<ReviewAction, 'down' | 'up' | 'pageDown' | 'pageUp' | 'first' | 'last'>;

const MOVES: ReadonlySet<ReviewAction> = new Set<MoveAction>(['down', 'up', 'pageDown', 'pageUp', 'first', 'last']);

export function isMove(action: ReviewAction): action is MoveAction {
  return MOVES.has(action);
}

/** Rows a page key moves: the rows in view less one, so the row at the edge stays in sight; at least one. */
export function pageRows(bodyH: number, rowH: number): number {
  return Math.max(1, Math.floor(bodyH / rowH) - 1);
}

/** The place a move takes the selection to, within the `total` rows (null when there are none). */
export function moveSelection(action: MoveAction, selected: number, total: number, page: number): number | null {
  if (total <= 0) return null;
  const to = { down: selected + 1, up: selected - 1, pageDown: selected + page, pageUp: selected - page, first: 0, last: total - 1 }[action];
  return Math.min(total - 1, Math.max(0, to));
}

/** Auto-advance: a verdict key (not X, which clears, nor a saved note) moves on to the next row when it is on. */
export function advancesAfterMark(autoAdvance: boolean, verdict: string | null, note: string | undefined): boolean {
  return autoAdvance && verdict !== null && note === undefined;
}

/** One line of the keys' help: the keys (pressed together when `chord`) and what they do. */
export interface KeyHelp {
  readonly keys: readonly string[];
  readonly what: string;
  readonly chord?: boolean;
}

type VerdictWords = Readonly<Record<'anomaly' | 'normal' | 'unsure', string>>;

/**
 * The keys' help (the `?` overlay), from the verdicts' keys and names: the review keys above, and Ctrl+Z (⌘Z on a
 * Mac), which undo.ts handles everywhere and which takes back the last verdict or note.
 */
export function reviewKeyHelp(keys: VerdictWords, names: VerdictWords, mac: boolean): KeyHelp[] {
  return [
    { keys: ['↑', '↓'], what: 'previous / next row' },
    { keys: ['PgUp', 'PgDn'], what: 'a page up / down' },
    { keys: ['Home', 'End'], what: 'first / last row' },
    { keys: [keys.anomaly], what: `mark as ${names.anomaly.toLowerCase()}` },
    { keys: [keys.normal], what: `mark as ${names.normal.toLowerCase()} (not an anomaly)` },
    { keys: [keys.unsure], what: `mark as ${names.unsure.toLowerCase()}` },
    { keys: ['X'], what: 'clear the verdict' },
    { keys: ['N'], what: 'write a note (Enter saves, Esc cancels)' },
    { keys: mac ? ['⌘', 'Z'] : ['Ctrl', 'Z'], chord: true, what: 'undo the last verdict or note (again: the one before)' },
    { keys: ['?'], what: 'show or hide this help' },
  ];
}
