// Agent identity: A2A card shapes, identity blocks, card signatures.
export * from './types.js';
