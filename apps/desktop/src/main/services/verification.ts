/**
 * Runs capsule verification off the main thread: one worker_threads Worker per
 * job, progress relayed as events, cancel = terminate the worker (nothing is
 * half-written because verification writes nothing).
 */
import { Worker } from 'node:worker_threads';
import type { TrustStore } from '@lineage/verifier-core';
import type { VerifyOutcome } from '../../shared/api.js';
import type { CapsuleVerification, VerifyProgress } from '../../shared/contract.js';

export interface VerifyJobInput {
  name: string;
  path?: string;
  bytes?: Uint8Array;
  trust: TrustStore;
  verifiedAt: string;
}

export type WorkerRequest = VerifyJobInput;
export type WorkerReply =
  | { type: 'progress'; progress: VerifyProgress }
  | { type: 'done'; verification: CapsuleVerification }
  | { type: 'error'; message: string };

export interface VerificationServiceOptions {
  workerUrl: URL;
  /** e.g. ['--import', 'tsx'] when the worker is TypeScript source (tests). */
  execArgv?: string[];
}

export class VerificationService {
  private readonly jobs = new Map<string, { worker: Worker; cancel: () => void }>();
  constructor(private readonly opts: VerificationServiceOptions) {}

  run(jobId: string, input: VerifyJobInput, onProgress: (p: VerifyProgress) => void): Promise<VerifyOutcome> {
    if (this.jobs.has(jobId))
      return Promise.resolve({
        status: 'error',
        message: 'a verification of this capsule is already running',
      });
    return new Promise<VerifyOutcome>((resolve) => {
      const worker = new Worker(this.opts.workerUrl, {
        execArgv: this.opts.execArgv ?? [],
        // The worker only needs a little heap beyond the capsule itself.
        resourceLimits: { maxOldGenerationSizeMb: 2048 },
      });
      let settled = false;
      const finish = (o: VerifyOutcome) => {
        if (settled) return;
        settled = true;
        this.jobs.delete(jobId);
        void worker.terminate();
        resolve(o);
      };
      this.jobs.set(jobId, { worker, cancel: () => finish({ status: 'cancelled' }) });
      worker.on('message', (m: WorkerReply) => {
        if (m.type === 'progress') onProgress(m.progress);
        else if (m.type === 'done') finish({ status: 'done', verification: m.verification });
        else finish({ status: 'error', message: m.message });
      });
      worker.on('error', (e) =>
        finish({ status: 'error', message: `verification worker failed: ${e.message}` }),
      );
      worker.on('exit', (code) =>
        finish({ status: 'error', message: `verification worker exited with code ${code}` }),
      );
      const req: WorkerRequest = input;
      worker.postMessage(req);
    });
  }

  cancel(jobId: string): boolean {
    const j = this.jobs.get(jobId);
    if (!j) return false;
    j.cancel();
    return true;
  }

  running(): number {
    return this.jobs.size;
  }
}
