import { type LineageSth, type NoteVerifierKey, parseVkey, verifyLineageSth } from '../note/index.js';
import { type ExpectedFound, expectedFoundOf, isLineageError } from '../result.js';
import type { TrustStore } from './types.js';

/**
 * Verifies a Lineage STH (chapter 3) against the trust store: the pinned key for
 * its log and the witness k-of-n policy. Results are cached per note text, since
 * many events cite the same tree head.
 */
export type TrustedSthResult =
  | { ok: true; sth: LineageSth }
  /** `code`: the failed check's code where one failed (`checkpoint.log-signature`, `note.bad-signature`, …). */
  | ({ ok: false; untrusted: boolean; code?: string; reason: string } & ExpectedFound);

export class SthVerifier {
  readonly #cache = new Map<string, Promise<TrustedSthResult>>();
  /**
   * `nowSeconds`: the verification time; a witness cosignature dated more than 10 minutes after it
   * does not count toward the quorum (§3). Without it, cosignature times are not bounded.
   */
  constructor(
    readonly trust: TrustStore,
    private readonly options: { nowSeconds?: bigint } = {},
  ) {}

  verify(noteText: string, origin: string): Promise<TrustedSthResult> {
    const key = `${origin}\u0000${noteText}`;
    let p = this.#cache.get(key);
    if (!p) {
      p = this.#verify(noteText, origin);
      this.#cache.set(key, p);
    }
    return p;
  }

  async #verify(noteText: string, origin: string): Promise<TrustedSthResult> {
    const pinned = this.trust.logs.filter((l) => l.origin === origin);
    if (pinned.length === 0) {
      return {
        ok: false,
        untrusted: true,
        reason: `no log key pinned in the trust store for log "${origin}"`,
      };
    }
    let logKeys: NoteVerifierKey[];
    let witnesses: NoteVerifierKey[];
    try {
      logKeys = pinned.map((l) => parseVkey(l.vkey, `trust store key for ${origin}`));
      witnesses = this.trust.witnesses.vkeys.map((v) => parseVkey(v, 'trust store witness key'));
    } catch (e) {
      return {
        ok: false,
        untrusted: true,
        reason: `trust store key unusable: ${isLineageError(e) ? e.message : String(e)}`,
      };
    }
    try {
      const r = await verifyLineageSth(noteText, {
        logId: origin,
        logKeys,
        witnesses,
        witnessThreshold: this.trust.witnesses.threshold,
        ...(this.options.nowSeconds !== undefined ? { nowSeconds: this.options.nowSeconds } : {}),
      });
      return r.ok
        ? { ok: true, sth: r.sth }
        : {
            ok: false,
            untrusted: false,
            code: r.code,
            reason: `${r.code}: ${r.message}`,
            ...expectedFoundOf(r),
          };
    } catch (e) {
      return isLineageError(e)
        ? { ok: false, untrusted: false, code: e.code, reason: `${e.code}: ${e.message}` }
        : { ok: false, untrusted: false, reason: String(e) };
    }
  }
}
