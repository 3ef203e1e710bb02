// Reference producer capsule/: key files, SAR approvals and the capsule writer.
export * from './keyfile.js';
