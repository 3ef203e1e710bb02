/**
 * The LineageApi for the single-file offline page: verification in a Web
 * Worker over bytes in memory, the trust store in memory (import/export as
 * files), exports as downloads. No network, no persistence, and no signing:
 * an approver key never lives in a web page.
 */
import { stringifyJsonInPieces, type TrustStore, verifySarApproval } from '@lineage/verifier-core';
import type { ApiEvent, LineageApi, OpenedCapsule, SaveResult, VerifyOutcome } from '../../shared/api.js';
import { toApprovalCheck } from '../../shared/approval-check.js';
import type { CapsuleVerification } from '../../shared/contract.js';
import { renderPrintableReport } from '../../shared/printable-report.js';
import { toOscal, toReportJson } from '../../shared/run-verification.js';
import {
  addTrustEntry,
  emptyTrustStore,
  parseTrustStore,
  removeTrustEntry,
  serializeTrustStore,
  viewTrustStore,
} from '../../shared/trust-model.js';
import VerifyWorker from './verify.worker.ts?worker&inline';

/** The page's own inlined stylesheet, reused for the printable report. */
function pageCss(): string {
  return [...document.querySelectorAll('style')].map((s) => s.textContent ?? '').join('\n');
}

const NO_SIGNING = 'Signing approvals needs Lineage Desktop: an approver key never lives in a web page.';

export function createOfflineApi(now: () => Date = () => new Date()): LineageApi {
  let trust: TrustStore = emptyTrustStore();
  const capsules = new Map<string, { name: string; bytes: Uint8Array }>();
  const results = new Map<string, CapsuleVerification>();
  const running = new Map<string, { worker: Worker; finish: (o: VerifyOutcome) => void }>();
  const listeners = new Set<(e: ApiEvent) => void>();
  let counter = 0;

  // A Blob takes the text in pieces: a 100k-event JSON report never has to be one string.
  const download = (name: string, data: string | string[], type: string): SaveResult => {
    const url = URL.createObjectURL(new Blob(typeof data === 'string' ? [data] : data, { type }));
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    return { saved: true, path: name };
  };

  return {
    host: 'offline',
    async openCapsuleDialog() {
      return null;
    },
    async openRecent() {
      throw new Error('the offline page opens files you choose or drop, not paths');
    },
    async openCapsuleBytes(name, bytes): Promise<OpenedCapsule> {
      const capsuleId = `c${++counter}`;
      const base = name.split(/[\\/]/).pop() ?? name;
      capsules.set(capsuleId, { name: base, bytes });
      return { capsuleId, name: base, size: bytes.byteLength };
    },
    async recentFiles() {
      return [];
    },
    verify(capsuleId) {
      const c = capsules.get(capsuleId);
      if (!c) return Promise.resolve({ status: 'error', message: 'no such capsule' });
      return new Promise<VerifyOutcome>((resolve) => {
        const worker: Worker = new VerifyWorker();
        const finish = (o: VerifyOutcome) => {
          running.delete(capsuleId);
          worker.terminate();
          if (o.status === 'done') results.set(capsuleId, o.verification);
          resolve(o);
        };
        running.set(capsuleId, { worker, finish });
        worker.onmessage = (e: MessageEvent) => {
          const m = e.data as {
            type: string;
            progress?: never;
            verification?: CapsuleVerification;
            message?: string;
          };
          if (m.type === 'progress') {
            for (const l of listeners) l({ type: 'verify-progress', capsuleId, progress: m.progress! });
          } else if (m.type === 'done') finish({ status: 'done', verification: m.verification! });
          else finish({ status: 'error', message: m.message ?? 'verification failed' });
        };
        worker.onerror = (e) =>
          finish({ status: 'error', message: `verification worker failed: ${e.message}` });
        worker.postMessage({ bytes: c.bytes, name: c.name, trust, verifiedAt: now().toISOString() });
      });
    },
    async cancelVerify(capsuleId) {
      running.get(capsuleId)?.finish({ status: 'cancelled' });
    },
    async trustList() {
      return viewTrustStore(trust);
    },
    async trustImport(req) {
      trust = addTrustEntry(trust, req);
      return viewTrustStore(trust);
    },
    async trustRemove(id) {
      trust = removeTrustEntry(trust, id);
      return viewTrustStore(trust);
    },
    async trustExportText() {
      return serializeTrustStore(trust);
    },
    async trustImportStore(text) {
      trust = parseTrustStore(text);
      return viewTrustStore(trust);
    },
    async keyStatus() {
      return { exists: false, unlocked: false };
    },
    async keyCreate() {
      throw new Error(NO_SIGNING);
    },
    async keyFileInfo() {
      throw new Error(NO_SIGNING);
    },
    async keyImport() {
      throw new Error(NO_SIGNING);
    },
    async keyUnlock() {
      throw new Error(NO_SIGNING);
    },
    async keyLock() {
      return { exists: false, unlocked: false };
    },
    async keyPublicText() {
      throw new Error(NO_SIGNING);
    },
    async approvalPreview() {
      return { lines: [], documentJson: '', blocked: NO_SIGNING };
    },
    async approvalSign() {
      throw new Error(NO_SIGNING);
    },
    async approvalVerify(text, capsuleId) {
      const capsule = capsuleId ? results.get(capsuleId) : undefined;
      return toApprovalCheck(
        await verifySarApproval(text, trust, {
          verifiedAt: now().toISOString(),
          ...(capsule ? { capsule } : {}),
        }),
        capsule,
      );
    },
    async exportFile({ capsuleId, format }) {
      if (format === 'trust')
        return download('trust-store.json', serializeTrustStore(trust), 'application/json');
      const c = capsuleId ? capsules.get(capsuleId) : undefined;
      const v = capsuleId ? results.get(capsuleId) : undefined;
      if (!c || !v) throw new Error('verify the capsule first');
      const base = c.name.replace(/\.(zip|capsule)$/i, '');
      if (format === 'json') {
        return download(`${base}.report.json`, jsonPieces(toReportJson(v)), 'application/json');
      }
      if (format === 'oscal')
        return download(`${base}.oscal-ar.json`, jsonPieces(toOscal(v)), 'application/json');
      if (format === 'html')
        return download(`${base}.report.html`, renderPrintableReport(c.name, v, pageCss()), 'text/html');
      throw new Error(`${format} export needs Lineage Desktop`);
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** `JSON.stringify(value, null, 2)` and a newline, as pieces. */
function jsonPieces(value: unknown): string[] {
  const parts: string[] = [];
  stringifyJsonInPieces((p) => parts.push(p), value);
  parts.push('\n');
  return parts;
}
