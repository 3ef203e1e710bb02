// Reference producer log/: a file-backed append-only Lineage Store and a Proof Server.

export * from './proof-server.js';
export * from './store.js';
