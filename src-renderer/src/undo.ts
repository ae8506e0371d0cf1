import { reactive } from 'vue';
import { errorMessage } from './state';

/**
 * Undo for what the analyst does: a delete (undoable while it is in the project's trash) and a verdict or note
 * (undoable as long as nobody changed the row since). Each action pushes how to undo it; Ctrl/Cmd+Z and the toast's
 * Undo button undo the newest one still undoable, one at a time, newest first.
 */
export interface UndoAction {
  /** What was done, as the toast says it: "Deleted dataset “wdbc”", "Marked 842302 as anomaly". */
  readonly label: string;
  /** Until when (epoch ms) it can be undone; null: no deadline (main refuses if the item changed since). */
  readonly until: number | null;
  /** Undoes it; rejects with main's reason when it cannot. */
  readonly undo: () => Promise<void>;
}

interface Entry extends UndoAction {
  readonly id: number;
}

/** What the toast shows: the newest action with its Undo button, or the outcome of an undo. */
export const undoState = reactive({
  toast: null as null | { readonly id: number; readonly label: string; readonly until: number | null },
  /** "Undone: …" after an undo, or why it could not be undone. */
  outcome: null as null | { readonly text: string; readonly ok: boolean },
  busy: false,
});

/** How long the toast shows an action without a deadline (a verdict). */
const TOAST_MS = 8_000;
/** How many actions Ctrl/Cmd+Z can walk back. */
const MAX_ACTIONS = 100;

const stack: Entry[] = [];
let nextId = 1;
let toastTimer: ReturnType<typeof setTimeout> | undefined;
let outcomeTimer: ReturnType<typeof setTimeout> | undefined;

function showToast(e: Entry | null): void {
  clearTimeout(toastTimer);
  undoState.toast = e ? { id: e.id, label: e.label, until: e.until } : null;
  if (!e) return;
  const ms = e.until !== null ? Math.max(0, e.until - Date.now()) : TOAST_MS;
  toastTimer = setTimeout(() => {
    if (undoState.toast?.id === e.id) undoState.toast = null;
  }, ms);
}

function showOutcome(text: string, ok: boolean): void {
  clearTimeout(outcomeTimer);
  undoState.outcome = { text, ok };
  outcomeTimer = setTimeout(() => (undoState.outcome = null), ok ? 4_000 : 12_000);
}

/** Records an action that can be undone and shows it in the toast. */
export function pushUndo(action: UndoAction): void {
  const e: Entry = { ...action, id: nextId++ };
  stack.push(e);
  if (stack.length > MAX_ACTIONS) stack.shift();
  undoState.outcome = null;
  showToast(e);
}

/** Drops actions whose window has passed. */
function prune(): void {
  const now = Date.now();
  for (let i = stack.length - 1; i >= 0; i--) if (stack[i]!.until !== null && stack[i]!.until! <= now) stack.splice(i, 1);
}

/** Whether there is something to undo (Ctrl/Cmd+Z acts only then). */
export function canUndo(): boolean {
  prune();
  return stack.length > 0;
}

/**
 * Undoes the newest action still undoable (or the one with `id`, the toast's); resolves true when it was undone.
 * The outcome (or main's reason for refusing) shows where the toast was.
 */
export async function undoLast(id?: number): Promise<boolean> {
  if (undoState.busy) return false;
  prune();
  const at = id === undefined ? stack.length - 1 : stack.findIndex((e) => e.id === id);
  const e = stack[at];
  if (!e) {
    if (id !== undefined) showOutcome('That can no longer be undone: its time has passed.', false);
    return false;
  }
  stack.splice(at, 1);
  undoState.busy = true;
  showToast(null);
  try {
    await e.undo();
    showOutcome(`Undone: ${e.label.charAt(0).toLowerCase()}${e.label.slice(1)}`, true);
    return true;
  } catch (err) {
    showOutcome(`Not undone: ${errorMessage(err)}`, false);
    return false;
  } finally {
    undoState.busy = false;
  }
}

export function dismissUndo(): void {
  showToast(null);
  clearTimeout(outcomeTimer);
  undoState.outcome = null;
}

/** Forgets every action (another project was opened: its deletes are carried out, its rows are not these). */
export function clearUndo(): void {
  stack.length = 0;
  dismissUndo();
}
