export * from './random.js';
export * from './identity.js';
export * from './hash.js';
export * from './encoding.js';
export * from './key-file.js';
