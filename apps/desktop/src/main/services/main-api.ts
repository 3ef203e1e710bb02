/**
 * The main process's implementation of the renderer API, composed from plain
 * services. Electron wires it to ipcMain (ipc.main.ts); the browser tests
 * bridge the very same object to Chromium. Holds the session's state: open
 * capsules and the last verification of each (approvals and exports only ever
 * use a verification this process computed, never one the renderer supplies).
 */

import type {
  ApiEvent,
  ApprovalPreview,
  ApprovalRequest,
  ExportFormat,
  MainApi,
  SaveResult,
  VerifyOutcome,
} from '../../shared/api.js';
import type { CapsuleVerification } from '../../shared/contract.js';
import { ApprovalService } from './approvals.js';
import { CapsuleStore } from './capsule-store.js';
import type { HostIo } from './host-io.js';
import { writeFileAtomic } from './json-file.js';
import { KeyStore } from './key-store.js';
import { RecentFiles } from './recent-files.js';
import { exportReport } from './report-export.js';
import { REPORT_VIEW_LIMITS, type ReportViewLimits, reportView } from './report-view.js';
import { TrustStoreService } from './trust-store.js';
import { VerificationService } from './verification.js';

export interface MainApiOptions {
  userDataDir: string;
  host: HostIo;
  emit: (e: ApiEvent) => void;
  workerUrl: URL;
  workerExecArgv?: string[];
  now?: () => Date;
  keyLog2N?: number;
  /** The unlocked approver key locks itself after this long without a signing action (default 10 minutes). */
  keyIdleLockMs?: number;
  /** The app's stylesheet for the printable report (the built renderer's CSS). */
  printCss: () => Promise<string>;
  /** How much of a verification the page is sent (default REPORT_VIEW_LIMITS); exports get all of it. */
  reportViewLimits?: ReportViewLimits;
}

const SAVE_FILTERS: Record<ExportFormat, { name: string; extensions: string[]; suffix: string }> = {
  json: { name: 'Report JSON', extensions: ['json'], suffix: '.report.json' },
  oscal: { name: 'OSCAL assessment results', extensions: ['json'], suffix: '.oscal-ar.json' },
  html: { name: 'Printable HTML report', extensions: ['html'], suffix: '.report.html' },
  pdf: { name: 'PDF report', extensions: ['pdf'], suffix: '.report.pdf' },
  approval: { name: 'Signed SAR approval', extensions: ['json'], suffix: '.approval.json' },
  trust: { name: 'Trust store', extensions: ['json'], suffix: 'trust-store.json' },
  'public-key': { name: 'Approver public key', extensions: ['json'], suffix: 'approver-public-key.json' },
};

export function createMainApi(
  o: MainApiOptions,
): MainApi & { verificationOf(id: string): CapsuleVerification | undefined } {
  const now = o.now ?? (() => new Date());
  const recent = new RecentFiles(o.userDataDir);
  const capsules = new CapsuleStore(recent, now);
  const trust = new TrustStoreService(o.userDataDir);
  const keys = new KeyStore(o.userDataDir, {
    ...(o.keyLog2N !== undefined ? { log2N: o.keyLog2N } : {}),
    ...(o.keyIdleLockMs !== undefined ? { idleLockMs: o.keyIdleLockMs } : {}),
    now: () => now().getTime(),
  });
  const verifier = new VerificationService({ workerUrl: o.workerUrl, execArgv: o.workerExecArgv ?? [] });
  const results = new Map<string, CapsuleVerification>();
  // Verifications between the request and the worker starting, so a cancel then is not lost.
  const starting = new Map<string, { cancelled: boolean }>();
  const approvals = new ApprovalService(keys, () => trust.load(), now);

  const verifiedCapsule = (capsuleId: string) => {
    const cap = capsules.get(capsuleId);
    const v = results.get(capsuleId);
    if (!v) throw new Error(`capsule ${cap.name} has not been verified in this session`);
    return { cap, v };
  };

  async function save(name: string, format: ExportFormat, data: string | Uint8Array): Promise<SaveResult> {
    const f = SAVE_FILTERS[format];
    const path = await o.host.chooseSavePath(name, { name: f.name, extensions: f.extensions });
    if (!path) return { saved: false };
    // The dialog asked before replacing a file; the write itself never leaves half a report.
    await writeFileAtomic(path, data, 0o644);
    return { saved: true, path };
  }

  return {
    verificationOf: (id) => results.get(id),

    async openCapsuleDialog() {
      const path = await o.host.chooseCapsule();
      return path ? capsules.openPath(path) : null;
    },
    openRecent: (path) => capsules.openRecent(path),
    openDropped: (path) => capsules.openDropped(path),
    openCapsuleBytes: async (name, bytes) => capsules.openBytes(name, bytes),
    recentFiles: () => recent.list(),

    async verify(capsuleId): Promise<VerifyOutcome> {
      const cap = capsules.get(capsuleId);
      const start = { cancelled: false };
      starting.set(capsuleId, start);
      let store: Awaited<ReturnType<typeof trust.load>>;
      try {
        store = await trust.load();
      } finally {
        starting.delete(capsuleId);
      }
      if (start.cancelled) {
        results.delete(capsuleId);
        return { status: 'cancelled' };
      }
      const outcome = await verifier.run(
        capsuleId,
        {
          name: cap.name,
          ...(cap.path ? { path: cap.path } : {}),
          ...(cap.bytes ? { bytes: cap.bytes } : {}),
          trust: store,
          verifiedAt: now().toISOString(),
        },
        (progress) => o.emit({ type: 'verify-progress', capsuleId, progress }),
      );
      if (outcome.status !== 'done') {
        results.delete(capsuleId);
        return outcome;
      }
      results.set(capsuleId, outcome.verification);
      return {
        status: 'done',
        verification: reportView(outcome.verification, o.reportViewLimits ?? REPORT_VIEW_LIMITS),
      };
    },
    async cancelVerify(capsuleId) {
      const s = starting.get(capsuleId);
      if (s) s.cancelled = true;
      else verifier.cancel(capsuleId);
    },

    trustList: () => trust.view(),
    trustImport: (req) => trust.import(req),
    trustRemove: (id) => trust.remove(id),
    trustExportText: () => trust.exportText(),
    trustImportStore: (text) => trust.importStore(text),

    keyStatus: () => keys.status(),
    keyCreate: (req) => keys.create(req),
    keyFileInfo: async (text) => keys.keyFileInfo(text),
    keyImport: (req) => keys.importKeyFile(req),
    keyUnlock: (p) => keys.unlock(p),
    keyLock: () => keys.lock(),
    keyPublicText: () => keys.publicKeyFile(),

    async approvalPreview(req: ApprovalRequest): Promise<ApprovalPreview> {
      const { cap, v } = verifiedCapsule(req.capsuleId);
      return approvals.preview(req, cap.name, v);
    },
    async approvalSign(req: ApprovalRequest) {
      const { cap, v } = verifiedCapsule(req.capsuleId);
      return approvals.sign(req, cap.name, v);
    },
    async approvalVerify(text, capsuleId) {
      return approvals.verify(text, capsuleId ? results.get(capsuleId) : undefined);
    },

    async exportFile({ capsuleId, format, content }): Promise<SaveResult> {
      if (format === 'trust') return save('trust-store.json', format, await trust.exportText());
      if (format === 'public-key')
        return save('approver-public-key.json', format, await keys.publicKeyFile());
      if (format === 'approval') {
        if (!content) throw new Error('nothing to save');
        return save(approvals.lastFileName ?? 'sar-approval.json', format, content);
      }
      if (!capsuleId) throw new Error('which capsule?');
      const { cap, v } = verifiedCapsule(capsuleId);
      const base = cap.name.replace(/\.(zip|capsule)$/i, '');
      const out = await exportReport(format, cap.name, v, o.host, await o.printCss());
      return save(`${base}${SAVE_FILTERS[format].suffix}`, format, out);
    },
  };
}
