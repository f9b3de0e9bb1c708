export * from './ledger-entry.js';
export * from './ledger-verify.js';
export * from './ledger-format.js';
