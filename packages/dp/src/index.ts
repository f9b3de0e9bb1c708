export * from './samplers/index.js';
export * from './accountant/index.js';
export * from './clipping/index.js';
