/** Report exports: JSON, OSCAL assessment results, printable HTML, PDF (via the host's printer). */
import { utf8Encode } from '@lineage/verifier-core';
import type { ExportFormat } from '../../shared/api.js';
import type { CapsuleVerification } from '../../shared/contract.js';
import { renderPrintableReport } from '../../shared/printable-report.js';
import { toOscal } from '../../shared/run-verification.js';
import type { HostIo } from './host-io.js';

export async function exportReport(
  format: Exclude<ExportFormat, 'approval' | 'trust' | 'public-key'>,
  capsuleName: string,
  v: CapsuleVerification,
  host: Pick<HostIo, 'htmlToPdf'>,
  css: string,
): Promise<Uint8Array> {
  switch (format) {
    case 'json':
      return utf8Encode(
        `${JSON.stringify({ ...v.report, capsuleDigest: v.capsuleDigest, lineage: v.lineage }, null, 2)}\n`,
      );
    case 'oscal':
      return utf8Encode(`${JSON.stringify(toOscal(v), null, 2)}\n`);
    case 'html':
      return utf8Encode(renderPrintableReport(capsuleName, v, css));
    case 'pdf':
      if (!host.htmlToPdf)
        throw new Error('PDF export needs the desktop app (Chromium printing); export HTML and print it');
      return host.htmlToPdf(renderPrintableReport(capsuleName, v, css));
  }
}
