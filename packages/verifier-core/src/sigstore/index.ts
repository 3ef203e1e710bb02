// Sigstore interop: the transparency-log part of bundles, against a trusted root.
export * from './bundle.js';
export * from './trusted-root.js';
