import type { ColumnRole, ValueKind } from '../../../../src-main/contract';

/** The roles a column can play, as the analyst reads them, with what each one means for training. */
export const ROLES: readonly { readonly role: ColumnRole; readonly label: string; readonly help: string }[] = [
  { role: 'numeric', label: 'numeric feature', help: 'A number the autoencoder learns to reconstruct.' },
  { role: 'categorical', label: 'categorical feature', help: 'A category, one-hot encoded (the most frequent values; the rest share "other").' },
  { role: 'timestamp', label: 'timestamp', help: 'When the row happened: orders rows and allows a chronological validation split. Not a feature.' },
  { role: 'id', label: 'row id', help: 'Names the row in rankings and reports. Not a feature.' },
  { role: 'label', label: 'label (known outcome)', help: 'Says which rows are known anomalies: used to evaluate, never as a feature.' },
  { role: 'ignored', label: 'ignore', help: 'Kept in the project but not used.' },
];

export const ROLE_LABEL: Readonly<Record<ColumnRole, string>> = Object.fromEntries(ROLES.map((r) => [r.role, r.label])) as Record<ColumnRole, string>;

/** Why a role does not fit a column of this kind (the same rules the import and the store apply), or null. */
export function roleRefusal(role: ColumnRole, kind: ValueKind): string | null {
  if (role === 'numeric' && kind !== 'number') return `holds ${kind === 'time' ? 'dates' : 'text'}: make it categorical or ignore it`;
  if (role === 'timestamp' && kind !== 'time') return 'holds no dates or times Residual can read';
  if (role === 'label' && kind === 'time') return 'holds dates';
  return null;
}

export const KIND_LABEL: Readonly<Record<ValueKind, string>> = { number: 'numbers', text: 'text', time: 'dates/times' };

export function isFeature(role: ColumnRole): boolean {
  return role === 'numeric' || role === 'categorical';
}
