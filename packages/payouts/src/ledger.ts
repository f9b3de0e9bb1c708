export * from './ledger-entry.js';
export * from './ledger-verify.js';
export * from './ledger-format.js';
export * from './ledger-head.js';
export * from './ledger-receipt.js';
export * from './ledger-receipts-verify.js';
export * from './ledger-cosigner-keys.js';
