// Components used only by the browser extension.
export * from './agent-card-summary.js';
export * from './audit-path.js';
export * from './origin-history.js';
export * from './tab-verdict.js';
