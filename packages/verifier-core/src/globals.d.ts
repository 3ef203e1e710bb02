// The few platform globals the core relies on, declared here because the core
// compiles without DOM or Node typings (so it cannot use anything else by accident).
// All of them exist in Node ≥ 18, browsers, Electron and extension service workers.

declare class TextEncoder {
  encode(input?: string): Uint8Array;
  encodeInto(source: string, destination: Uint8Array): { read: number; written: number };
}

declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
  decode(input?: Uint8Array): string;
}
