/** worker_threads entry: verifies one capsule and posts progress and the result back. */
import { constants, open } from 'node:fs/promises';
import { parentPort } from 'node:worker_threads';
import { bytesReader, type RandomAccessReader } from '@lineage/verifier-core';
import { runVerification } from '../../shared/run-verification.js';
import type { WorkerReply, WorkerRequest } from './verification.js';

const port = parentPort;
if (!port) throw new Error('verify-worker must run as a worker thread');

port.once('message', async (req: WorkerRequest) => {
  const post = (m: WorkerReply) => port.postMessage(m);
  // A zip on disk is read positionally, so a large capsule never sits in memory whole.
  const fh = req.path ? await open(req.path, constants.O_RDONLY).catch(() => undefined) : undefined;
  try {
    let reader: RandomAccessReader;
    if (req.bytes) reader = bytesReader(req.bytes);
    else if (fh) {
      const size = (await fh.stat()).size;
      reader = {
        size,
        read: async (offset, length) => {
          const n = Math.max(0, Math.min(length, size - offset));
          const buf = new Uint8Array(n);
          const { bytesRead } = await fh.read(buf, 0, n, offset);
          return buf.subarray(0, bytesRead);
        },
      };
    } else throw new Error(`cannot open ${req.path ?? 'the capsule'}`);
    const verification = await runVerification(reader, req.trust, {
      capsuleName: req.name,
      verifiedAt: req.verifiedAt,
      onProgress: (progress) => post({ type: 'progress', progress }),
    });
    post({ type: 'done', verification });
  } catch (e) {
    post({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  } finally {
    await fh?.close();
  }
});
