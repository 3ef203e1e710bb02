import { formatCount } from '@lineage/verifier-core';

export interface FetchedText {
  url: string;
  status: number;
  /** The body exactly as received (bytes, so proofs bind what was served, not a re-encoding). */
  bytes: Uint8Array;
  contentType: string | null;
}

export type FetchFailure = 'timeout' | 'too_large' | 'network' | 'redirect' | 'aborted';

export class FetchError extends Error {
  constructor(
    readonly kind: FetchFailure,
    message: string,
  ) {
    super(message);
    this.name = 'FetchError';
  }
}

export type FetchBounded = (
  url: string,
  limits: { maxBytes: number; timeoutMs: number },
) => Promise<FetchedText>;

/**
 * GET with a byte cap and a deadline. No cookies, no referrer, no redirects (a redirect could
 * send us to another origin), no cache: the answer is what the origin serves now.
 */
export const fetchBounded: FetchBounded = async (url, { maxBytes, timeoutMs }) => {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), timeoutMs);
  try {
    let res: Response;
    try {
      // A variable, not a literal: Node's RequestInit type lacks `cache`, which browsers honour.
      const init = {
        method: 'GET',
        credentials: 'omit',
        redirect: 'manual',
        cache: 'no-store',
        referrerPolicy: 'no-referrer',
        signal: ctl.signal,
        headers: { accept: 'application/json' },
      } as const;
      res = await fetch(url, init);
    } catch (e) {
      if (ctl.signal.aborted) throw new FetchError('timeout', `no answer from ${url} within ${timeoutMs} ms`);
      throw new FetchError('network', `request to ${url} failed: ${(e as Error).message}`);
    }
    if (res.type === 'opaqueredirect' || (res.status >= 300 && res.status < 400)) {
      throw new FetchError('redirect', `${url} answered with a redirect; redirects are not followed`);
    }
    const declared = Number(res.headers.get('content-length') ?? Number.NaN);
    if (Number.isFinite(declared) && declared > maxBytes) {
      await res.body?.cancel();
      throw new FetchError(
        'too_large',
        `${url} declares ${formatCount(declared)} bytes; at most ${formatCount(maxBytes)} are read`,
      );
    }
    const chunks: Uint8Array[] = [];
    let total = 0;
    const reader = res.body?.getReader();
    if (reader) {
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          total += value.length;
          if (total > maxBytes) {
            await reader.cancel();
            throw new FetchError(
              'too_large',
              `${url} sent more than ${formatCount(maxBytes)} bytes; reading stopped there`,
            );
          }
          chunks.push(value);
        }
      } catch (e) {
        if (e instanceof FetchError) throw e;
        if (ctl.signal.aborted)
          throw new FetchError('timeout', `${url} did not finish within ${timeoutMs} ms`);
        throw new FetchError('network', `reading ${url} failed: ${(e as Error).message}`);
      }
    }
    const bytes = new Uint8Array(total);
    let off = 0;
    for (const c of chunks) {
      bytes.set(c, off);
      off += c.length;
    }
    return { url, status: res.status, bytes, contentType: res.headers.get('content-type') };
  } finally {
    clearTimeout(timer);
  }
};
