/** Report exports: JSON, OSCAL assessment results, printable HTML, PDF (via the host's printer). */
import { concatBytes, stringifyJsonInPieces, utf8Encode } from '@lineage/verifier-core';
import type { ExportFormat } from '../../shared/api.js';
import type { CapsuleVerification } from '../../shared/contract.js';
import { renderPrintableReport } from '../../shared/printable-report.js';
import { toOscal, toReportJson } from '../../shared/run-verification.js';
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
      return jsonFileBytes(toReportJson(v));
    case 'oscal':
      return jsonFileBytes(toOscal(v));
    case 'html':
      return utf8Encode(renderPrintableReport(capsuleName, v, css));
    case 'pdf':
      if (!host.htmlToPdf)
        throw new Error('PDF export needs the desktop app (Chromium printing); export HTML and print it');
      return host.htmlToPdf(renderPrintableReport(capsuleName, v, css));
  }
}

/**
 * `JSON.stringify(value, null, 2)` and a newline, as UTF-8, encoded piece by piece: a 100k-event
 * report is ~0.5 GB of JSON, near the largest string the engine can make.
 */
function jsonFileBytes(value: unknown): Uint8Array {
  const parts: Uint8Array[] = [];
  stringifyJsonInPieces((piece) => parts.push(utf8Encode(piece)), value);
  parts.push(utf8Encode('\n'));
  return concatBytes(...parts);
}
