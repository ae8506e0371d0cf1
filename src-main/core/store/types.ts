/** The store's public types live in the contract (src-main/contract/store.ts). */
export * from '../../contract/store';
