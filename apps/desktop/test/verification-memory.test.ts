// A capsule larger than the verification worker's heap ends as a clear error, not a crash of the app.
import { buildFedrampSample, zipCapsule } from '@lineage/producer';
import { describe, expect, it } from 'vitest';
import { VerificationService } from '../src/main/services/verification.js';

describe('the verification worker out of memory', () => {
  it('stops the job with a message that names the limit; the next job runs', async () => {
    const sample = await buildFedrampSample();
    // The sample with its events.jsonl repeated 1,000 times (18,000 lines): a few MiB of zip.
    const bytes = zipCapsule(
      new Map(
        [...sample.files].map(([p, b]) => [p, p === 'events.jsonl' ? Buffer.concat(Array(1000).fill(b)) : b]),
      ),
    );
    const workerUrl = new URL('./support/verify-worker-ts.mjs', import.meta.url);
    const small = new VerificationService({ workerUrl, execArgv: ['--import', 'tsx'], heapMiB: 32 });
    const out = await small.run(
      'big',
      { name: 'big', bytes, trust: sample.trust, verifiedAt: '2026-11-22T00:00:00Z' },
      () => {},
    );
    expect(out).toEqual({
      status: 'error',
      message:
        'this capsule needs more memory than the 32 MiB verification may use; it was stopped and nothing was verified',
    });
    expect(small.running()).toBe(0);
    const usual = new VerificationService({ workerUrl, execArgv: ['--import', 'tsx'] });
    const again = await usual.run(
      'big',
      { name: 'big', bytes, trust: sample.trust, verifiedAt: '2026-11-22T00:00:00Z' },
      () => {},
    );
    expect(again.status).toBe('done');
  });
});
