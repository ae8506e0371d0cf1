import { inject, type InjectionKey } from 'vue';
import type { Proposal, TrainSettings } from '../../../../src-main/contract';
import type { DatasetInfo } from '../../../../src-main/contract';
import type { Draft } from './settings';

/** What the wizard's setting groups share: the draft they edit, the proposal it started from, and the live check. */
export interface Wizard {
  readonly dataset: DatasetInfo;
  readonly draft: Draft;
  readonly proposal: Proposal;
  /** The proposal's one-line reason for a setting, if it gave one. */
  why(key: keyof TrainSettings): string | null;
  /** Whether the draft differs from the proposal there. */
  changed(key: keyof TrainSettings): boolean;
  /** The proposed value as text. */
  proposed(key: keyof TrainSettings): string;
  reset(key: keyof TrainSettings): void;
  /** The live check's complaint about a setting (BAD_INPUT with details.field). */
  error(key: keyof TrainSettings): string | null;
}

export const WIZARD: InjectionKey<Wizard> = Symbol('wizard');

export function useWizard(): Wizard {
  const w = inject(WIZARD);
  if (!w) throw new Error('useWizard() outside the model wizard');
  return w;
}
