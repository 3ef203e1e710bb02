// Public API of @lineage/ui: components shared by the desktop app and the browser extension.
export * from './check-list.js';
export * from './data-text.js';
export * from './event-details.js';
export * from './expected-found.js';
export * from './extension/index.js';
export * from './fingerprint.js';
export * from './lineage-graph.js';
export * from './lineage-layout.js';
export type * from './lineage-types.js';
export * from './more-rows.js';
export * from './progress-bar.js';
export * from './proof-view.js';
export * from './qr-sequence.js';
export * from './status.js';
export * from './verdict-banner.js';
