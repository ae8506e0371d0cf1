/** The engine's public types live in the contract (src-main/contract/engine.ts): core imports the contract, never the reverse. */
export * from '../../contract/engine';
