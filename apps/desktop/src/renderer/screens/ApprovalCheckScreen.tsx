/** Verify an approval file someone else signed, against the pinned approver keys. */
import { DataText, ExpectedFound, StatusBadge } from '@lineage/ui';
import { formatCount } from '@lineage/verifier-core';
import { useState } from 'react';
import type { ApprovalCheck, ApprovalStatement, Decision, LineageApi } from '../../shared/api.js';
import { fromQrFrames } from '../../shared/qr-frames.js';
import { ROLE_LABEL } from '../../shared/role-labels.js';
import { messageOf } from '../App.js';
import { FileButton } from '../file-button.js';

/** The decision in our words (the file's value is one of three, checked by the parser). */
const DECISION_WORDS: Record<Decision, string> = {
  approve: 'APPROVE',
  conditional: 'APPROVE WITH CONDITIONS',
  reject: 'REJECT',
};

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
          aria-label="The approval file's text, or its QR frames"
          data-testid="approval-text"
        />
        <div className="row">
          <FileButton
            label="Load approval file…"
            accept=".json"
            testId="approval-file"
            onFile={async (f) => {
              const t = await f.text();
              setText(t);
              await check(t);
            }}
          />
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
          {result.statement && <Statement s={result.statement} verified={result.verdict === 'verified'} />}
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

/**
 * What the approval says: the decision first, then who, when, about which capsule, and the comment
 * or conditions. Everything but the decision word is the file's text, shown as data; until the
 * checks pass it is only what the file claims.
 */
function Statement({ s, verified }: { s: ApprovalStatement; verified: boolean }) {
  const v = s.verification;
  return (
    <div className="approval-statement" data-testid="approval-statement" data-decision={s.decision}>
      <h3 className="approval-statement-title">
        {verified ? 'What was signed' : 'What the file claims (not verified: do not rely on it)'}
      </h3>
      <dl className="lin-kv">
        <dt>Decision</dt>
        <dd>
          <strong className={`decision-word decision-${s.decision}`} data-testid="approval-decision">
            {DECISION_WORDS[s.decision]}
          </strong>
        </dd>
        <dt>Approver</dt>
        <dd>
          <DataText value={s.approverId} /> as {ROLE_LABEL[s.role] ?? <DataText value={s.role} />}
        </dd>
        <dt>Signed at</dt>
        <dd>
          <DataText value={s.signedAt} />
        </dd>
        <dt>Capsule</dt>
        <dd>
          <DataText value={s.capsule.title} wrap /> <DataText value={s.capsule.id} />
          <br />
          <span className="lin-muted">digest</span> <DataText value={s.capsule.digest} wrap />
        </dd>
        <dt>Verification stated</dt>
        <dd>
          {`${v.verdict}: ${formatCount(v.fail)} failed, ${formatCount(v.pass)} passed, ${formatCount(v.notChecked)} not checked, at `}
          <DataText value={v.verifiedAt} />
        </dd>
        <dt>{s.decision === 'conditional' ? 'Conditions' : 'Comment'}</dt>
        <dd data-testid="approval-comment-shown">
          <DataText value={s.comment} wrap />
        </dd>
      </dl>
    </div>
  );
}
