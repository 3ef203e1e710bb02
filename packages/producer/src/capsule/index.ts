// Reference producer capsule/: key files, SAR approvals and the capsule writer.

export * from './approval.js';
export * from './keyfile.js';
export * from './writer.js';
