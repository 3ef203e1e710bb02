export * from './canonical.js';
export * from './strict-parse.js';
