// Web Worker for the offline page: verifies capsule bytes in memory and posts progress and the result.
import { bytesReader, type TrustStore } from '@lineage/verifier-core';
import { runVerification } from '../../shared/run-verification.js';

interface Req {
  bytes: Uint8Array;
  name: string;
  trust: TrustStore;
  verifiedAt: string;
}

const scope = self as unknown as {
  onmessage: ((e: MessageEvent<Req>) => void) | null;
  postMessage: (m: unknown) => void;
};

scope.onmessage = async (e) => {
  const req = e.data;
  try {
    const verification = await runVerification(bytesReader(req.bytes), req.trust, {
      capsuleName: req.name,
      verifiedAt: req.verifiedAt,
      onProgress: (progress) => scope.postMessage({ type: 'progress', progress }),
    });
    scope.postMessage({ type: 'done', verification });
  } catch (err) {
    scope.postMessage({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  }
};
