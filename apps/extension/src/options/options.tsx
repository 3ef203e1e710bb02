import { DataText } from '@lineage/ui';
import { useCallback, useEffect, useState } from 'react';
import { send } from '../browser/runtime.js';
import { evidenceText } from '../shared/evidence.js';
import type { Response } from '../shared/messages.js';
import type { ExtensionSettings } from '../storage/types.js';

type Marked = Extract<Response, { equivocations: unknown }>['equivocations'];

const MAX_TRUST_FILE = 1_000_000;

export function Options() {
  const [settings, setSettings] = useState<ExtensionSettings | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [marked, setMarked] = useState<Marked>([]);
  /** Where the stored trust store broke when it was read back (it is then not used at all). */
  const [trustProblem, setTrustProblem] = useState<string | null>(null);
  /** A deletion the user asked for and has not confirmed yet: the page first says what goes. */
  const [confirming, setConfirming] = useState<{ kind: 'data' } | { kind: 'mark'; log: string } | null>(null);
  const [copied, setCopied] = useState<string | null>(null);

  const takeSettings = useCallback((r: Response): void => {
    if (r.ok && 'settings' in r) {
      setSettings(r.settings);
      setTrustProblem(r.trustProblem ?? null);
    }
  }, []);

  const loadMarked = useCallback(async (): Promise<void> => {
    const r = await send({ type: 'listEquivocations' });
    if (r.ok && 'equivocations' in r) setMarked(r.equivocations);
  }, []);

  useEffect(() => {
    void send({ type: 'getSettings' }).then(takeSettings);
    void loadMarked();
  }, [loadMarked, takeSettings]);

  async function copyEvidence(log: string): Promise<void> {
    const e = marked.find((m) => m.log === log);
    if (!e) return;
    try {
      await navigator.clipboard.writeText(evidenceText(e));
      setCopied('Copied both signed tree heads.');
    } catch (err) {
      setCopied(`Could not copy (${String(err)}); a site’s Details page shows the notes as text.`);
    }
  }

  async function clearMark(log: string): Promise<void> {
    setConfirming(null);
    setCopied(null);
    const r = await send({ type: 'clearEquivocation', log });
    setMessage(
      r.ok
        ? { ok: true, text: `The mark on ${log} and its evidence were deleted.` }
        : { ok: false, text: r.error },
    );
    await loadMarked();
  }

  async function importFile(file: File): Promise<void> {
    if (file.size > MAX_TRUST_FILE) {
      setMessage({
        ok: false,
        text: `${file.name} is ${file.size} bytes; trust stores over 1 MB are refused.`,
      });
      return;
    }
    const r = await send({ type: 'importTrust', text: await file.text(), fileName: file.name });
    if (r.ok && 'settings' in r) {
      takeSettings(r);
      setMessage({ ok: true, text: `Imported ${file.name}.` });
    } else if (!r.ok) {
      setMessage({ ok: false, text: r.error });
    }
  }

  async function setAll(value: boolean): Promise<void> {
    takeSettings(await send({ type: 'setCheckAllSites', value }));
  }

  async function clearData(): Promise<void> {
    setConfirming(null);
    const r = await send({ type: 'clearData' });
    setMessage(
      r.ok
        ? {
            ok: true,
            text: 'Remembered tree heads, history and cached results were deleted (not the evidence against equivocating logs).',
          }
        : { ok: false, text: r.error },
    );
  }

  if (!settings) return <p className="lin-muted">Loading…</p>;
  const t = settings.trust;
  return (
    <main className="lin-ext-options">
      <h1>Lineage extension — options</h1>
      {message && (
        <p
          className={message.ok ? 'lin-ext-ok' : 'lin-ext-error'}
          data-testid="options-message"
          role="status"
        >
          {message.text}
        </p>
      )}

      <section>
        <h2 className="lin-ext-h2">Trusted logs, witnesses and keys</h2>
        <p>
          Import a Lineage trust store (JSON, spec §4.8). Nothing is trusted until you import one; a site can
          never add keys.{' '}
          {settings.trustSource && (
            <>
              Current file: <DataText value={settings.trustSource} max={60} />
            </>
          )}
        </p>
        {trustProblem && (
          <p className="lin-ext-error" data-testid="trust-problem" role="alert">
            The stored trust store no longer holds, so nothing is trusted:{' '}
            <DataText value={trustProblem} max={200} />. Import your trust store again.
          </p>
        )}
        <label className="lin-ext-file">
          Import trust store…{' '}
          <input
            type="file"
            accept="application/json,.json"
            data-testid="trust-file"
            onChange={(e) => {
              const f = e.target.files?.[0];
              if (f) void importFile(f);
            }}
          />
        </label>
        <h3>Logs ({t.logs.length})</h3>
        <ul className="lin-ext-keys" data-testid="logs">
          {t.logs.map((l) => (
            <li key={l.vkey}>
              <DataText value={l.origin} max={60} />
              <br />
              <DataText value={l.vkey} max={90} />
            </li>
          ))}
        </ul>
        <h3>
          Witnesses ({t.witnesses.vkeys.length}, {t.witnesses.threshold} required)
        </h3>
        <ul className="lin-ext-keys">
          {t.witnesses.vkeys.map((v) => (
            <li key={v}>
              <DataText value={v} max={90} />
            </li>
          ))}
        </ul>
        <h3>Agent-card signers ({t.card_signers.length})</h3>
        <ul className="lin-ext-keys">
          {t.card_signers.map((c) => (
            <li key={`${c.kid}-${c.public_key}`}>
              <DataText value={c.kid} max={40} /> <span className="lin-mono">{c.alg}</span>{' '}
              <DataText value={c.public_key} max={40} />
            </li>
          ))}
        </ul>
      </section>

      <section>
        <h2 className="lin-ext-h2">Which sites are checked</h2>
        <p>
          Sites that advertise Lineage (a <code>Lineage-Checkpoint</code> header or a <code>Link</code> to
          their agent card) are always checked. Any other site can be checked from the popup.
        </p>
        <label>
          <input
            type="checkbox"
            checked={settings.checkAllSites}
            onChange={(e) => void setAll(e.target.checked)}
            data-testid="check-all"
          />{' '}
          Check every site I visit (fetches <code>/.well-known/agent-card.json</code> from each site, and only
          from it)
        </label>
      </section>

      <section aria-label="Equivocating logs">
        <h2 className="lin-ext-h2">Logs caught equivocating ({marked.length})</h2>
        <p>
          A pinned log that signed two contradicting tree heads (two trees of one size, or a smaller tree
          after a larger one) is marked: every check of it fails until you clear the mark here. Both signed
          tree heads are kept as evidence; a site’s Details page shows them in full.
        </p>
        <ul className="lin-ext-keys" data-testid="equivocations">
          {marked.map((e) => (
            <li key={e.log} data-log={e.log}>
              <DataText value={e.log} max={60} />{' '}
              {e.kind === 'split' ? 'two trees of size ' : 'a smaller tree after a larger one, sizes '}
              <span className="lin-mono">
                {e.kind === 'split' ? e.notes[0].size : `${e.notes[0].size} and ${e.notes[1].size}`}
              </span>
              , seen {new Date(e.detectedAt).toISOString()}
              {!e.holds && (
                <span className="lin-muted">
                  {' '}
                  (the evidence does not verify under the key pinned now, so the mark is not applied)
                </span>
              )}{' '}
              <button
                type="button"
                onClick={() => {
                  setCopied(null);
                  setConfirming({ kind: 'mark', log: e.log });
                }}
                data-testid="clear-equivocation"
              >
                Clear the mark and delete its evidence…
              </button>
              {confirming?.kind === 'mark' && confirming.log === e.log && (
                <div className="lin-ext-confirm" role="alertdialog" data-testid="confirm-equivocation">
                  <p>
                    This deletes the two signed tree heads that prove this log equivocated — the only copy
                    this browser has, and what the log’s operator needs to see. Pages proven by this log will
                    verify again. Copy the evidence first if you may need it.
                  </p>
                  <button type="button" onClick={() => void copyEvidence(e.log)} data-testid="copy-evidence">
                    Copy evidence
                  </button>{' '}
                  <button
                    type="button"
                    onClick={() => void clearMark(e.log)}
                    data-testid="confirm-clear-equivocation"
                  >
                    Delete the evidence and clear the mark
                  </button>{' '}
                  <button type="button" onClick={() => setConfirming(null)}>
                    Cancel
                  </button>{' '}
                  {copied && <span className="lin-muted">{copied}</span>}
                </div>
              )}
            </li>
          ))}
        </ul>
      </section>

      <section>
        <h2 className="lin-ext-h2">Data</h2>
        <p>
          Kept on this device only, in the extension’s storage: the tree heads remembered per pinned log, each
          with the site that showed it (for split-view detection); the last 20 checks of each of the 200 sites
          checked most recently (site, time, verdict, log and tree size) and the last result of each; and the
          Lineage headers of open tabs showing a Lineage site. A site that does not advertise Lineage leaves
          nothing unless you check it.
        </p>
        <button type="button" onClick={() => setConfirming({ kind: 'data' })} data-testid="clear-data">
          Clear remembered data…
        </button>
        {confirming?.kind === 'data' && (
          <div className="lin-ext-confirm" role="alertdialog" data-testid="confirm-data">
            <p>
              This deletes the tree heads remembered for every log: the next tree head a log shows you is then
              trusted on first use again, so a log that showed you one history could show you another without
              it being noticed. It also deletes the check history and cached results. Your trust store and the
              evidence against logs caught equivocating ({marked.length}) are kept.
            </p>
            <button type="button" onClick={() => void clearData()} data-testid="confirm-clear-data">
              Delete remembered data
            </button>{' '}
            <button type="button" onClick={() => setConfirming(null)}>
              Cancel
            </button>
          </div>
        )}
      </section>
    </main>
  );
}
