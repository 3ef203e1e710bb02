/** Verify an approval file someone else signed, against the pinned approver keys. */
import { DataText, ExpectedFound, StatusBadge } from '@lineage/ui';
import { useState } from 'react';
import type { ApprovalCheck, LineageApi } from '../../shared/api.js';
import { fromQrFrames } from '../../shared/qr-frames.js';
import { messageOf } from '../App.js';

const HEAD: Record<ApprovalCheck['verdict'], string> = {
  verified: 'Approval verified',
  failed: 'Approval does not verify',
  incomplete: 'Approval could not be fully checked',
};

export function ApprovalCheckScreen({
  api,
  capsuleId,
  onError,
}: {
  api: LineageApi;
  /** The open, verified capsule, if any: the approval's binding to it is checked too. */
  capsuleId?: string;
  onError: (m: string) => void;
}) {
  const [text, setText] = useState('');
  const [result, setResult] = useState<ApprovalCheck | undefined>();

  const check = async (t: string) => {
    setResult(undefined);
    try {
      // Pasted QR frames (one per line) are reassembled first.
      const input = t.trim().startsWith('LNG1/') ? fromQrFrames(t.trim().split(/\s+/)) : t;
      setResult(await api.approvalVerify(input, capsuleId));
    } catch (e) {
      onError(messageOf(e));
    }
  };

  return (
    <div className="approval-check">
      <section className="panel">
        <h2 className="panel-title">Check an approval</h2>
        <p className="lin-muted">
          Load a signed SAR approval file (or paste it, or paste its QR frames, one per line). It is checked
          against the approver keys and roles in your trust store.
        </p>
        <textarea
          rows={8}
          value={text}
          onChange={(e) => setText(e.target.value)}
          spellCheck={false}
          data-testid="approval-text"
        />
        <div className="row">
          <label className="btn">
            Load approval file…
            <input
              type="file"
              accept=".json"
              hidden
              data-testid="approval-file"
              onChange={async (e) => {
                const f = e.target.files?.[0];
                e.target.value = '';
                if (f) {
                  const t = await f.text();
                  setText(t);
                  await check(t);
                }
              }}
            />
          </label>
          <button
            type="button"
            className="btn btn-primary"
            disabled={!text.trim()}
            onClick={() => void check(text)}
            data-testid="approval-check"
          >
            Check approval
          </button>
        </div>
      </section>
      {result && (
        <section
          className={`panel approval-result approval-${result.verdict}`}
          data-testid="approval-result"
          data-verdict={result.verdict}
        >
          <h2 className="panel-title">{HEAD[result.verdict]}</h2>
          <p>{result.summary}</p>
          <ul className="check-lines">
            {result.lines.map((l, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: the result is replaced whole, never reordered; titles may repeat
              <li key={i} className={`check-line-${l.status}`}>
                <StatusBadge status={l.status} /> {l.title}
                {l.status === 'pass' && l.found !== undefined && (
                  <>
                    {' '}
                    <span className="lin-muted">·</span> <DataText value={l.found} max={90} />
                  </>
                )}
                {l.status !== 'pass' && l.reason && (
                  <div className="check-line-reason">
                    <DataText value={l.reason} wrap />
                  </div>
                )}
                {l.status !== 'pass' && (l.expected !== undefined || l.found !== undefined) && (
                  <ExpectedFound expected={l.expected} found={l.found} />
                )}
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}
