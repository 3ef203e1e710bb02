/**
 * Runs capsule verification off the main thread: one worker_threads Worker per
 * job, progress relayed as events, cancel = terminate the worker (nothing is
 * half-written because verification writes nothing).
 */
import { Worker } from 'node:worker_threads';
import { formatCount, type TrustStore } from '@lineage/verifier-core';
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
  /** The worker's heap limit (old generation), MiB. Default 2,048. */
  heapMiB?: number;
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
      const heapMiB = this.opts.heapMiB ?? 2048;
      const worker = new Worker(this.opts.workerUrl, {
        execArgv: this.opts.execArgv ?? [],
        // About 5 KiB per event: 2 GiB holds the largest capsule the limits allow (~380k events).
        resourceLimits: { maxOldGenerationSizeMb: heapMiB },
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
      worker.on('error', (e: Error & { code?: string }) =>
        finish({
          status: 'error',
          message:
            e.code === 'ERR_WORKER_OUT_OF_MEMORY'
              ? `this capsule needs more memory than the ${formatCount(heapMiB)} MiB verification may use; it was stopped and nothing was verified`
              : `verification worker failed: ${e.message}`,
        }),
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
