/**
 * Approve or reject a verified capsule. The approver key is created and
 * unlocked in the main process; this screen only asks for a preview (the exact
 * document to be signed, in plain language and verbatim, not yet signed) and
 * then for the signature over that document.
 */

import { DataText, Fingerprint, QrSequence } from '@lineage/ui';
import { type ApproverRole, formatCountOf } from '@lineage/verifier-core';
import { useEffect, useRef, useState } from 'react';
import type {
  ApprovalPreview,
  Decision,
  KeyFileInfo,
  KeyStatus,
  LineageApi,
  SignedApproval,
} from '../../shared/api.js';
import { ROLE_LABEL } from '../../shared/role-labels.js';
import { type CapsuleState, messageOf } from '../App.js';
import { FileButton } from '../file-button.js';
import { RoleSelect } from '../role-select.js';

/** The SAR decisions an approver can sign, as the CLI's --decision names them. */
const DECISIONS: { value: Decision; label: string }[] = [
  { value: 'approve', label: 'Approve' },
  { value: 'conditional', label: 'Approve with conditions' },
  { value: 'reject', label: 'Reject' },
];

export function ApproveScreen({
  api,
  state,
  onError,
  onOpen,
}: {
  api: LineageApi;
  state: CapsuleState | undefined;
  onError: (m: string) => void;
  onOpen: () => void;
}) {
  const [key, setKey] = useState<KeyStatus | undefined>();
  const [decision, setDecision] = useState<Decision>('approve');
  const [comment, setComment] = useState('');
  const [preview, setPreview] = useState<ApprovalPreview | undefined>();
  const [signed, setSigned] = useState<SignedApproval | undefined>();
  const [saved, setSaved] = useState<string | undefined>();
  const signedRef = useRef<HTMLElement>(null);
  useEffect(() => {
    if (signed) signedRef.current?.scrollIntoView({ block: 'start' });
  }, [signed]);

  useEffect(() => {
    api.keyStatus().then(setKey, (e: unknown) => onError(messageOf(e)));
  }, [api, onError]);
  // A refused preview or signature may mean the key locked itself while idle: show its state now.
  const failed = (e: unknown) => {
    onError(messageOf(e));
    api.keyStatus().then(setKey, () => undefined);
  };

  // Any change to what would be signed invalidates the preview.
  // biome-ignore lint/correctness/useExhaustiveDependencies: these values are triggers for the reset, not inputs to it
  useEffect(() => {
    setPreview(undefined);
    setSigned(undefined);
  }, [decision, comment, state?.capsule.capsuleId, key?.unlocked]);

  const v = state?.phase === 'done' ? state.verification : undefined;
  const req = state ? { capsuleId: state.capsule.capsuleId, decision, comment } : undefined;

  if (api.host === 'offline') {
    return (
      <div className="approve">
        <section className="panel" data-testid="offline-no-signing">
          <h2 className="panel-title">Signing needs Lineage Desktop</h2>
          <p>
            This offline page verifies capsules and checks approvals, but it never holds an approver key: a
            key in a web page could be read by anything that page runs. Sign approvals in Lineage Desktop,
            where the key stays in the app's main process, sealed with your passphrase.
          </p>
        </section>
      </div>
    );
  }
  return (
    <div className="approve">
      <KeyPanel api={api} status={key} onStatus={setKey} onError={onError} />
      <section className="panel">
        <h2 className="panel-title">Decision</h2>
        {!v || !req ? (
          <p className="lin-muted">
            Open and verify a capsule first.{' '}
            <button type="button" className="lin-link" onClick={onOpen}>
              Open a capsule
            </button>
          </p>
        ) : (
          <>
            <p>
              <span className="lin-label">Capsule</span> <DataText value={state?.capsule.name} max={60} />{' '}
              <span className="lin-label">verdict</span>{' '}
              <strong className={`verdict-word verdict-${v.report.verdict}`}>{v.report.verdict}</strong>
            </p>
            <div className="row">
              {DECISIONS.map((d) => (
                <label className="radio" key={d.value}>
                  <input
                    type="radio"
                    name="decision"
                    checked={decision === d.value}
                    onChange={() => setDecision(d.value)}
                    data-testid={`decision-${d.value}`}
                  />
                  {d.label}
                </label>
              ))}
            </div>
            <label htmlFor="approval-comment" className="lin-label">
              {decision === 'conditional'
                ? 'Conditions (required; signed with the decision)'
                : 'Comment (signed with the decision)'}
            </label>
            <textarea
              id="approval-comment"
              rows={3}
              value={comment}
              maxLength={4000}
              onChange={(e) => setComment(e.target.value)}
              data-testid="approval-comment"
            />
            <div className="row">
              <button
                type="button"
                className="btn btn-primary"
                onClick={() => api.approvalPreview(req).then(setPreview, failed)}
                data-testid="approval-preview"
              >
                Review what will be signed
              </button>
            </div>
          </>
        )}
      </section>
      {preview && req && (
        <section className="panel preview" data-testid="preview" data-blocked={preview.blocked !== undefined}>
          {/* A refused request must not read as a document about to be signed: say so first. */}
          <h2 className="panel-title">
            {preview.blocked ? 'This cannot be signed' : 'Exactly what you will sign'}
          </h2>
          {preview.blocked && (
            <>
              <p className="notice notice-warn" data-testid="preview-blocked">
                {preview.blocked}
              </p>
              <p className="lin-muted">What the request would have said:</p>
            </>
          )}
          <ol className="preview-lines">
            {preview.lines.map((l, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: the preview is replaced whole, never reordered; lines may repeat
              <li key={i}>
                <DataText value={l} wrap />
              </li>
            ))}
          </ol>
          {key?.fingerprintGroups && (
            <p>
              <span className="lin-label">Your key fingerprint</span>{' '}
              <Fingerprint groups={key.fingerprintGroups} />
            </p>
          )}
          {!preview.blocked && (
            <>
              <details data-testid="preview-document">
                <summary>The document that will be signed, verbatim (not signed yet)</summary>
                <pre className="signed-json">{preview.documentJson}</pre>
              </details>
              <button
                type="button"
                className="btn btn-danger"
                onClick={() => api.approvalSign(req).then(setSigned, failed)}
                data-testid="approval-sign"
                disabled={signed !== undefined}
              >
                {signed
                  ? 'Signed'
                  : `Sign this ${decision === 'reject' ? 'rejection' : decision === 'conditional' ? 'conditional approval' : 'approval'}`}
              </button>
            </>
          )}
        </section>
      )}
      {signed && (
        <section className="panel signed" data-testid="signed" ref={signedRef}>
          <div className="signed-grid">
            <div>
              <h2 className="panel-title">Signed</h2>
              <p>
                Carry the signed file back on removable media, or show the QR sequence to a camera on the
                other side of the air gap ({formatCountOf(signed.qrFrames.length, 'frame')}, each numbered and
                checksummed).
              </p>
              <p>
                <span className="lin-label">File</span> <DataText value={signed.fileName} />
              </p>
              <details data-testid="signed-document">
                <summary>The signed document, verbatim</summary>
                <pre className="signed-json">{signed.text}</pre>
              </details>
              <div className="row">
                <button
                  type="button"
                  className="btn btn-primary"
                  data-testid="approval-save"
                  onClick={() =>
                    api.exportFile({ format: 'approval', content: signed.text }).then(
                      (r) => setSaved(r.saved ? `Saved ${r.path ?? ''}` : 'Not saved.'),
                      (e: unknown) => onError(messageOf(e)),
                    )
                  }
                >
                  Save approval file…
                </button>
              </div>
              {saved && (
                <p className="ok-line" data-testid="approval-saved">
                  {saved}
                </p>
              )}
            </div>
            <QrSequence frames={signed.qrFrames} />
          </div>
        </section>
      )}
    </div>
  );
}

function KeyPanel({
  api,
  status,
  onStatus,
  onError,
}: {
  api: LineageApi;
  status: KeyStatus | undefined;
  onStatus: (s: KeyStatus) => void;
  onError: (m: string) => void;
}) {
  const [pass, setPass] = useState('');
  const [pass2, setPass2] = useState('');
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<ApproverRole>('authorizing_official');
  const [busy, setBusy] = useState(false);
  const run = async (p: Promise<KeyStatus>) => {
    setBusy(true);
    try {
      onStatus(await p);
    } catch (e) {
      onError(messageOf(e));
    } finally {
      // Cleared after every attempt, right or wrong: the window does not keep a passphrase.
      setPass('');
      setPass2('');
      setBusy(false);
    }
  };
  if (!status) return null;
  if (!status.exists) {
    const mismatch = pass2 !== '' && pass !== pass2;
    return (
      <>
        <section className="panel" data-testid="key-create">
          <h2 className="panel-title">Create your approver key</h2>
          <p className="lin-muted">
            The key is generated and kept on this computer, sealed with your passphrase. It never leaves the
            app's main process; this window can only ask it to sign what you reviewed.
          </p>
          <div className="form-grid">
            <label htmlFor="key-id">Approver id</label>
            <input
              id="key-id"
              value={id}
              placeholder="lin:human:ao.jane-doe"
              onChange={(e) => setId(e.target.value)}
              spellCheck={false}
              data-testid="key-id"
            />
            <label htmlFor="key-name">Your name</label>
            <input
              id="key-name"
              value={name}
              onChange={(e) => setName(e.target.value)}
              data-testid="key-name"
            />
            <label htmlFor="key-role">Role</label>
            <RoleSelect id="key-role" value={role} onChange={setRole} />
            <label htmlFor="key-pass">Passphrase (12+ characters)</label>
            <input
              id="key-pass"
              type="password"
              value={pass}
              onChange={(e) => setPass(e.target.value)}
              data-testid="key-pass"
            />
            <label htmlFor="key-pass2">Repeat passphrase</label>
            <input
              id="key-pass2"
              type="password"
              value={pass2}
              onChange={(e) => setPass2(e.target.value)}
              data-testid="key-pass2"
            />
          </div>
          {mismatch && <p className="bad-line">The passphrases differ.</p>}
          <button
            type="button"
            className="btn btn-primary"
            disabled={busy || !id.trim() || !name.trim() || pass.length < 12 || pass !== pass2}
            onClick={() =>
              void run(api.keyCreate({ approverId: id.trim(), name: name.trim(), role, passphrase: pass }))
            }
            data-testid="key-create-button"
          >
            {busy ? 'Creating…' : 'Create key'}
          </button>
        </section>
        <KeyImportPanel api={api} onStatus={onStatus} />
      </>
    );
  }
  return (
    <section className="panel key-panel" data-testid="key-panel" data-unlocked={status.unlocked}>
      <div className="panel-head">
        <h2 className="panel-title">
          Approver key{' '}
          <span className={`key-state ${status.unlocked ? 'key-open' : 'key-locked'}`}>
            {status.unlocked ? 'unlocked' : 'locked'}
          </span>
        </h2>
        <div className="panel-actions">
          <button
            type="button"
            className="btn"
            onClick={() =>
              api.exportFile({ format: 'public-key' }).catch((e: unknown) => onError(messageOf(e)))
            }
          >
            Export public key…
          </button>
          {status.unlocked && (
            <button
              type="button"
              className="btn"
              onClick={() => void run(api.keyLock())}
              data-testid="key-lock"
            >
              Lock
            </button>
          )}
        </div>
      </div>
      <dl className="lin-kv">
        <dt>Approver</dt>
        <dd>
          <DataText value={status.approverId} />
        </dd>
        <dt>Role</dt>
        <dd>{status.role ? ROLE_LABEL[status.role] : ''}</dd>
        <dt>Fingerprint</dt>
        <dd>{status.fingerprintGroups && <Fingerprint groups={status.fingerprintGroups} />}</dd>
      </dl>
      {!status.unlocked && (
        <div className="row">
          <input
            type="password"
            placeholder="Passphrase"
            value={pass}
            onChange={(e) => setPass(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && pass) void run(api.keyUnlock(pass));
            }}
            data-testid="key-unlock-pass"
          />
          <button
            type="button"
            className="btn btn-primary"
            disabled={busy || !pass}
            onClick={() => void run(api.keyUnlock(pass))}
            data-testid="key-unlock"
          >
            {busy ? 'Unlocking…' : 'Unlock'}
          </button>
        </div>
      )}
    </section>
  );
}

/** Largest key file read from disk (the main process's bound, MAX_KEY_FILE_CHARS): a wrong file is not sent whole. */
const MAX_KEY_FILE_BYTES = 16_384;

/**
 * Takes in a key the approver made with `lineage keygen`. The main process reads the chosen file's
 * owner and public key (nothing decrypted) to show them; on "Use this key" it decrypts the file
 * with the passphrase, seals the same key again for this app under id and role, and unlocks it.
 */
function KeyImportPanel({ api, onStatus }: { api: LineageApi; onStatus: (s: KeyStatus) => void }) {
  const [file, setFile] = useState<{ name: string; text: string; info: KeyFileInfo } | undefined>();
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<ApproverRole>('authorizing_official');
  const [pass, setPass] = useState('');
  const [busy, setBusy] = useState(false);
  // Said in the panel, beside the file and the button: the window's error bar may be scrolled away.
  const [refusal, setRefusal] = useState<string | undefined>();
  const choose = async (f: File) => {
    setFile(undefined);
    setRefusal(undefined);
    try {
      if (f.size > MAX_KEY_FILE_BYTES)
        throw new Error(
          `${f.name} is ${f.size} bytes: not a key file made by lineage keygen (at most ${MAX_KEY_FILE_BYTES})`,
        );
      const text = await f.text();
      setFile({ name: f.name, text, info: await api.keyFileInfo(text) });
    } catch (e) {
      setRefusal(`${f.name}: ${messageOf(e)}`);
    }
  };
  const owner = file?.info.owner;
  const use = async () => {
    if (!file) return;
    setBusy(true);
    setRefusal(undefined);
    try {
      onStatus(
        await api.keyImport({
          keyfile: file.text,
          passphrase: pass,
          name: name.trim(),
          role,
          ...(owner === undefined ? { approverId: id.trim() } : {}),
        }),
      );
      setFile(undefined);
    } catch (e) {
      setRefusal(`Could not use ${file.name}: ${messageOf(e)}`);
    } finally {
      // Cleared after every attempt, right or wrong: the window does not keep a passphrase.
      setPass('');
      setBusy(false);
    }
  };
  return (
    <section className="panel" data-testid="key-import">
      <h2 className="panel-title">Or use a key made with lineage keygen</h2>
      <p className="lin-muted">
        Choose the key file <code>lineage keygen --out KEYFILE</code> wrote and enter its passphrase. The app
        seals the same key again for itself, bound to your approver id and role, with the same passphrase; the
        file you chose is left as it is.
      </p>
      <div className="form-grid">
        <span>Key file</span>
        <div className="row">
          <FileButton
            label={file ? 'Choose another…' : 'Choose key file…'}
            small
            disabled={busy}
            testId="key-import-file"
            onFile={choose}
          />
          {file ? (
            <DataText value={file.name} max={60} />
          ) : (
            <span className="lin-muted">No key file chosen</span>
          )}
        </div>
        {file && (
          <>
            <span>Public key (as keygen printed it)</span>
            <code className="lin-mono import-public" data-testid="key-import-public">
              {file.info.publicKey}
            </code>
            <span>Fingerprint (as trust stores show it)</span>
            <div>
              <Fingerprint groups={file.info.fingerprintGroups} />
            </div>
            {owner !== undefined ? (
              <>
                <span>Approver id (the key file's owner)</span>
                <div data-testid="key-import-owner">
                  <DataText value={owner} />
                </div>
              </>
            ) : (
              <>
                <label htmlFor="key-import-id">Approver id (the key file names none)</label>
                <input
                  id="key-import-id"
                  value={id}
                  placeholder="lin:human:ao.jane-doe"
                  onChange={(e) => setId(e.target.value)}
                  spellCheck={false}
                  data-testid="key-import-id"
                />
              </>
            )}
            <label htmlFor="key-import-name">Your name</label>
            <input
              id="key-import-name"
              value={name}
              onChange={(e) => setName(e.target.value)}
              data-testid="key-import-name"
            />
            <label htmlFor="key-import-role">Role</label>
            <RoleSelect id="key-import-role" value={role} onChange={setRole} />
            <label htmlFor="key-import-pass">The key file's passphrase</label>
            <input
              id="key-import-pass"
              type="password"
              value={pass}
              onChange={(e) => setPass(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' && pass && name.trim() && (owner !== undefined || id.trim()))
                  void use();
              }}
              data-testid="key-import-pass"
            />
          </>
        )}
      </div>
      {file && (
        <button
          type="button"
          className="btn btn-primary"
          disabled={busy || !pass || !name.trim() || (owner === undefined && !id.trim())}
          onClick={() => void use()}
          data-testid="key-import-button"
        >
          {busy ? 'Opening the key file…' : 'Use this key'}
        </button>
      )}
      {refusal && (
        <p className="bad-line" role="alert" data-testid="key-import-refusal">
          {refusal}
        </p>
      )}
    </section>
  );
}
