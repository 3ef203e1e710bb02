// Producer side of signed notes: Ed25519 log keys, checkpoints, Lineage STHs, witness cosignatures.
export * from './sign.js';
export * from './signer.js';
