// Reference producer log/: a file-backed append-only Lineage Store and a Proof Server.
export * from './store.js';
