/**
 * Whose loss curve a run's history is. An ensemble has no epochs of its own: its members train one after another and
 * its history is its first network member's (that member's kind and seed, the ensemble's seed plus its position), so
 * the curve is labelled as that member's; null for a run whose curve is its own.
 */
export function lossCurveOwner(model: { readonly kind: string; readonly settings: { readonly members: readonly string[]; readonly seed: number } }): string | null {
  if (model.kind !== 'ensemble') return null;
  const i = model.settings.members.findIndex((k) => k !== 'iforest' && k !== 'ecod');
  if (i < 0) return null;
  return `first network member (${model.settings.members[i]}, seed ${(model.settings.seed + i) % 2 ** 32})`;
}
