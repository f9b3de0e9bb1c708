export * from './ledger-entry.js';
export * from './ledger-verify.js';
