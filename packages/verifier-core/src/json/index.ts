export * from './canonical.js';
export * from './strict-parse.js';
export * from './stringify-pieces.js';
