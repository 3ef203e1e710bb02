/**
 * The printable report: one self-contained HTML page (inline CSS, no script)
 * with the verdict, every check and the lineage graph. Rendered with React's
 * static renderer, so every capsule string is escaped as text.
 */
import { CheckList, LineageGraph, LineageLegend, VerdictBanner } from '@lineage/ui';
import { renderToStaticMarkup } from 'react-dom/server';
import type { CapsuleVerification } from './contract.js';
import { graphWithCheckStatus } from './graph-status.js';
import { DESKTOP_VERIFIER } from './run-verification.js';

const PRINT_CSS = `
body { font-family: var(--lin-sans); color: var(--lin-ink); background: #fff; margin: 24px; font-size: 13px; }
h1 { font-size: 18px; margin: 0 0 12px; }
h2.section { font-size: 15px; margin: 22px 0 8px; }
.lin-filters { display: none; }
.lin-graph { overflow: visible; }
.lin-check-group { break-inside: avoid; }
p.print-record code { overflow-wrap: anywhere; }
footer { margin-top: 24px; color: var(--lin-muted); font-size: 11px; }
@page { margin: 14mm; }
`;

/**
 * `css` is the app's own stylesheet (@lineage/ui styles.css plus the shell's), supplied by the host:
 * the built renderer's CSS in the desktop app, the page's inlined <style> offline.
 */
export function renderPrintableReport(capsuleName: string, v: CapsuleVerification, css: string): string {
  const r = v.report;
  const graph = graphWithCheckStatus(v);
  const body = renderToStaticMarkup(
    <>
      <h1>Lineage verification report</h1>
      <VerdictBanner
        verdict={r.verdict}
        summary={r.summary}
        targetName={capsuleName}
        digest={v.capsuleDigest}
        verifiedAt={r.verifiedAt}
      />
      {/* For the record, in full (a printout or PDF has no tooltip for the banner's shortened digest):
          what was verified, when, and by which verifier, as the CLI's HTML report and both JSON
          documents name it. */}
      <p className="print-record" data-testid="print-record">
        Capsule digest <code>{v.capsuleDigest || '(none: the capsule could not be read)'}</code>, verified at{' '}
        <code>{r.verifiedAt}</code> by <code>{DESKTOP_VERIFIER}</code>
      </p>
      <h2 className="section">Lineage</h2>
      <LineageLegend />
      <LineageGraph nodes={graph.nodes} edges={graph.edges} interactive={false} />
      <h2 className="section">Every check ({r.checks.length})</h2>
      <CheckList checks={r.checks} rowsPerPage={Number.POSITIVE_INFINITY} />
      <footer>
        Generated offline by Lineage Desktop. Capsule strings are shown in grey monospace frames as data;
        status colours and the verdict are the verifier's own.
      </footer>
    </>,
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>Lineage report</title>
<style>${css.replace(/<\/style/gi, '<\\/style')}${PRINT_CSS}</style></head>
<body>${body}</body></html>
`;
}
