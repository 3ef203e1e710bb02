/** Trust store: import keys from files, compare fingerprints aloud, set approver roles, export the store. */

import { DataText, Fingerprint } from '@lineage/ui';
import { APPROVER_ROLES, type ApproverRole } from '@lineage/verifier-core';
import { useRef, useState } from 'react';
import type { LineageApi, TrustKind, TrustStoreView } from '../../shared/api.js';
import { ROLE_LABEL } from '../../shared/role-labels.js';
import { messageOf } from '../App.js';
import { FileButton } from '../file-button.js';

const KINDS: { id: TrustKind; label: string; nameLabel: string; hint: string }[] = [
  {
    id: 'log',
    label: 'Log',
    nameLabel: 'Log origin (optional: taken from the key)',
    hint: 'C2SP verifier key: name+id+base64',
  },
  { id: 'witness', label: 'Witness', nameLabel: '', hint: 'C2SP verifier key of a witness cosigner' },
  {
    id: 'proof-server',
    label: 'Proof server',
    nameLabel: 'Proof-server id',
    hint: 'Ed25519 key: 64 hex digits or PEM',
  },
  {
    id: 'approver',
    label: 'Approver',
    nameLabel: 'Approver id (lin:human:…)',
    hint: 'Approver public-key file (.json), hex or PEM',
  },
  {
    id: 'card-signer',
    label: 'Agent-card signer',
    nameLabel: 'Key id (kid)',
    hint: 'Ed25519 or P-256 public key, hex or PEM',
  },
];

const KIND_LABEL: Record<TrustKind, string> = {
  log: 'Log',
  witness: 'Witness',
  'proof-server': 'Proof server',
  approver: 'Approver',
  'card-signer': 'Card signer',
};

export function TrustScreen({
  api,
  trust,
  onChanged,
  onError,
}: {
  api: LineageApi;
  trust: TrustStoreView | undefined;
  onChanged: (t: TrustStoreView) => void;
  onError: (m: string) => void;
}) {
  const [kind, setKind] = useState<TrustKind>('log');
  const [name, setName] = useState('');
  const [label, setLabel] = useState('');
  const [text, setText] = useState('');
  const [roles, setRoles] = useState<ApproverRole[]>([]);
  const [status, setStatus] = useState<string | undefined>();
  // One change at a time: every button that changes the store is disabled while one is in flight
  // (the main process queues changes too; this keeps the screen from racing its own answers).
  const [busy, setBusy] = useState(false);
  // The ref sees a change started earlier in the same event loop turn, before the re-render.
  const inFlight = useRef(false);
  const k = KINDS.find((x) => x.id === kind)!;

  const act = async (p: () => Promise<TrustStoreView>, done: string): Promise<boolean> => {
    if (inFlight.current) return false;
    inFlight.current = true;
    setBusy(true);
    setStatus(undefined);
    try {
      onChanged(await p());
      setStatus(done);
      return true;
    } catch (e) {
      onError(messageOf(e));
      return false;
    } finally {
      inFlight.current = false;
      setBusy(false);
    }
  };

  const importKey = () =>
    act(
      () =>
        api.trustImport({
          kind,
          text,
          ...(name.trim() ? { name: name.trim() } : {}),
          ...(label.trim() ? { label: label.trim() } : {}),
          ...(kind === 'approver' ? { roles } : {}),
        }),
      'Key imported.',
    ).then((ok) => {
      if (!ok) return;
      setText('');
      setName('');
      setLabel('');
    });

  const entries = trust?.entries ?? [];
  return (
    <div className="trust">
      <section className="panel">
        <div className="panel-head">
          <h2 className="panel-title">Trusted keys ({entries.length})</h2>
          <div className="panel-actions">
            <FileButton
              label="Import trust store…"
              accept=".json"
              disabled={busy}
              testId="trust-store-input"
              onFile={async (f) => {
                const text = await f.text();
                await act(() => api.trustImportStore(text), 'Trust store replaced from file.');
              }}
            />
            <button
              type="button"
              className="btn"
              data-testid="trust-export"
              onClick={() =>
                api.exportFile({ format: 'trust' }).then(
                  (r) => setStatus(r.saved ? `Trust store saved to ${r.path ?? ''}` : 'Not saved.'),
                  (e: unknown) => onError(messageOf(e)),
                )
              }
            >
              Export trust store…
            </button>
          </div>
        </div>
        <p className="lin-muted">
          Nothing is trusted by default. Compare each fingerprint with its owner over a separate channel (read
          it aloud in groups of four) before relying on it. Witness threshold: {trust?.witnessThreshold ?? 0}.
        </p>
        {entries.length === 0 ? (
          <p className="lin-empty" data-testid="trust-none">
            No keys. Import the keys you received out of band, or a whole trust-store file.
          </p>
        ) : (
          <table className="lin-table trust-table">
            <thead>
              <tr>
                <th>Kind</th>
                <th>Identifier</th>
                <th>Roles</th>
                <th>SHA-256 fingerprint</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id} data-trust-entry={e.id}>
                  <td className="nowrap">{KIND_LABEL[e.kind]}</td>
                  <td>
                    <DataText value={e.name} max={46} />
                    {e.label && e.label !== e.name && (
                      <div>
                        <DataText value={e.label} max={46} />
                      </div>
                    )}
                    <div className="lin-muted small">{e.algorithm}</div>
                  </td>
                  <td>{e.roles?.map((r) => ROLE_LABEL[r]).join(', ') ?? ''}</td>
                  <td>
                    <Fingerprint groups={e.fingerprintGroups} />
                  </td>
                  <td>
                    <button
                      type="button"
                      className="lin-link"
                      disabled={busy}
                      onClick={() => act(() => api.trustRemove(e.id), 'Key removed.')}
                      data-testid="trust-remove"
                    >
                      remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {status && (
          <p className="ok-line" data-testid="trust-status">
            {status}
          </p>
        )}
      </section>
      <section className="panel">
        <h2 className="panel-title">Import a key</h2>
        <div className="form-grid">
          <label htmlFor="trust-kind">Kind</label>
          <select
            id="trust-kind"
            value={kind}
            onChange={(e) => setKind(e.target.value as TrustKind)}
            data-testid="trust-kind"
          >
            {KINDS.map((x) => (
              <option key={x.id} value={x.id}>
                {x.label}
              </option>
            ))}
          </select>
          {k.nameLabel && (
            <>
              <label htmlFor="trust-name">{k.nameLabel}</label>
              <input
                id="trust-name"
                value={name}
                onChange={(e) => setName(e.target.value)}
                spellCheck={false}
                data-testid="trust-name"
              />
            </>
          )}
          {kind === 'approver' && (
            <>
              <label htmlFor="trust-label">Display name</label>
              <input
                id="trust-label"
                value={label}
                onChange={(e) => setLabel(e.target.value)}
                spellCheck={false}
              />
              <span>Roles</span>
              <div className="roles">
                {APPROVER_ROLES.map((r) => (
                  <label key={r} className="role">
                    <input
                      type="checkbox"
                      checked={roles.includes(r)}
                      onChange={(e) =>
                        setRoles(e.target.checked ? [...roles, r] : roles.filter((x) => x !== r))
                      }
                    />
                    {ROLE_LABEL[r]}
                  </label>
                ))}
              </div>
            </>
          )}
          <label htmlFor="trust-text">Key</label>
          <div>
            <textarea
              id="trust-text"
              rows={4}
              value={text}
              onChange={(e) => setText(e.target.value)}
              placeholder={k.hint}
              spellCheck={false}
              data-testid="trust-text"
            />
            <FileButton
              label="Load key file…"
              small
              testId="trust-key-file"
              onFile={async (f) => setText((await f.text()).trim())}
            />
          </div>
        </div>
        <button
          type="button"
          className="btn btn-primary"
          disabled={busy || !text.trim()}
          onClick={() => void importKey()}
          data-testid="trust-import"
        >
          Import key
        </button>
      </section>
    </div>
  );
}
