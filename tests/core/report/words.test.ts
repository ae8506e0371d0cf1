import { describe, expect, it } from 'vitest';
import { article, kindWords, membersWords } from '../../../src-main/core/report/words';

describe("the report's words for a model's kind", () => {
  it('names the members of a custom ensemble, in order, with their articles', () => {
    expect(kindWords('ensemble', ['ae', 'vae', 'iforest'])).toBe('ensemble of an autoencoder, a variational autoencoder and an Isolation Forest, standardised and averaged');
    expect(`${article(kindWords('ensemble', ['ae', 'vae', 'iforest']))} ${kindWords('ensemble', ['ae', 'vae', 'iforest'])}`).toMatch(/^an ensemble of an autoencoder, /);
  });

  it('counts repeated members, which differ only by seed, and keeps the first-seen order', () => {
    expect(membersWords(['ae', 'ae', 'ae', 'iforest', 'ecod'])).toBe('three autoencoders of different seeds, an Isolation Forest and an ECOD detector');
    expect(membersWords(['ecod', 'sparse', 'ecod'])).toBe('two ECOD detectors of different seeds and a sparse autoencoder');
    expect(membersWords(['wae'])).toBe('a Wasserstein autoencoder');
  });

  it('never claims members an ensemble does not have', () => {
    const words = kindWords('ensemble', ['ae', 'vae', 'iforest']);
    expect(words).not.toMatch(/ECOD|several seeds/);
    expect(kindWords('ensemble', ['iforest', 'ecod'])).not.toMatch(/autoencoder/);
  });

  it('leaves other kinds as they were', () => {
    expect(kindWords('vae')).toBe('variational autoencoder');
    expect(kindWords('iforest', [])).toBe('Isolation Forest (Liu, Ting and Zhou 2008)');
  });
});
