import type { CryptoBackend, Ed25519VerifyItem } from '../crypto/backend.js';
import { fromHex } from '../encoding/hex.js';
import type { LineageEvent } from './types.js';

/** Event signatures go to the backend in batches of this many while parsing continues. */
const SIGNATURE_BATCH = 1024;

/**
 * Collects signatures and submits them to `ed25519VerifyBatch` in fixed-size batches as
 * they arrive (the Node backend spreads each over its worker pool). Only the packed items
 * of the batch being filled are held; submitted batches are the backend's.
 */
export class SignatureQueue {
  private items: Ed25519VerifyItem[] = [];
  /** Decoded public keys by hex: a capsule has few signers and many events. */
  private readonly keys = new Map<string, Uint8Array>();
  private readonly pending: Promise<boolean[]>[] = [];
  private count = 0;
  constructor(private readonly backend: CryptoBackend) {}

  add(sig: LineageEvent['signature'], message: Uint8Array): number {
    let item: Ed25519VerifyItem;
    try {
      let publicKey = this.keys.get(sig.public_key);
      if (publicKey === undefined) {
        publicKey = fromHex(sig.public_key, 32);
        if (this.keys.size < 4096) this.keys.set(sig.public_key, publicKey);
      }
      item = { publicKey, message, signature: fromHex(sig.value, 64) };
    } catch {
      return -1;
    }
    this.items.push(item);
    if (this.items.length >= SIGNATURE_BATCH) this.flush();
    return this.count++;
  }

  private flush(): void {
    if (this.items.length === 0) return;
    const p = this.backend.ed25519VerifyBatch(this.items);
    // A batch abandoned by agent mode's early stop must not surface as an unhandled rejection.
    p.catch(() => {});
    this.pending.push(p);
    this.items = [];
  }

  async results(): Promise<boolean[]> {
    this.flush();
    const out: boolean[] = [];
    for (const p of this.pending) for (const ok of await p) out.push(ok);
    return out;
  }
}
