/** Open a capsule: dialog, drag and drop, or a recent file. Opening reads nothing from the capsule yet. */
import { DataText } from '@lineage/ui';
import { useEffect, useRef, useState } from 'react';
import type { LineageApi, OpenedCapsule, RecentFile, TrustStoreView } from '../../shared/api.js';
import { formatBytes, messageOf } from '../App.js';

export function OpenScreen({
  api,
  trust,
  onOpened,
  onError,
  onManageTrust,
}: {
  api: LineageApi;
  trust: TrustStoreView | undefined;
  onOpened: (c: OpenedCapsule | null) => void;
  onError: (m: string) => void;
  onManageTrust: () => void;
}) {
  const [recent, setRecent] = useState<RecentFile[]>([]);
  const [over, setOver] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    api.recentFiles().then(setRecent, () => setRecent([]));
  }, [api]);

  const run = (p: Promise<OpenedCapsule | null>) => p.then(onOpened, (e: unknown) => onError(messageOf(e)));

  // From disk when the host knows the dropped file's path (the page never names one), else as bytes.
  const openFile = (file: File) =>
    run(
      (async () =>
        (await api.openDroppedFile?.(file)) ??
        api.openCapsuleBytes(file.name, new Uint8Array(await file.arrayBuffer())))(),
    );

  const choose = () => {
    if (api.host === 'desktop') void run(api.openCapsuleDialog());
    else input.current?.click();
  };

  return (
    <div className="open-screen">
      {trust && trust.entries.length === 0 && (
        <div className="notice notice-warn" data-testid="trust-empty">
          <strong>Your trust store is empty.</strong> Nothing is trusted by default: a capsule cannot verify
          until you import the log, proof-server and approver keys you were given out of band.{' '}
          <button type="button" className="lin-link" onClick={onManageTrust}>
            Import keys
          </button>
        </div>
      )}
      {/* biome-ignore lint/a11y/noStaticElementInteractions: a drop target; the button inside is the keyboard path */}
      <section
        className={`dropzone${over ? ' dropzone-over' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault();
          setOver(false);
          const f = e.dataTransfer.files[0];
          if (f) void openFile(f);
        }}
        data-testid="dropzone"
      >
        <h1>Verify an evidence capsule</h1>
        <p className="lin-muted">
          Drop a capsule (.zip) here, or choose one. It is verified on this computer against your trust store
          only.
        </p>
        <button type="button" className="btn btn-primary" onClick={choose} data-testid="open-capsule">
          Open capsule…
        </button>
        <input
          ref={input}
          type="file"
          accept=".zip,.capsule"
          hidden
          data-testid="capsule-input"
          onChange={(e) => {
            const f = e.target.files?.[0];
            if (f) void openFile(f);
            e.target.value = '';
          }}
        />
      </section>
      <section className="panel how">
        <h2 className="panel-title">What is checked</h2>
        <ol className="how-list">
          <li>
            <strong>The container and manifest</strong> — every file listed, hashed and within limits; no
            trust roots shipped inside.
          </li>
          <li>
            <strong>Every event</strong> — signed by its actor (agent card identity or pinned approver), in
            the log under a signed tree head from a pinned log key, attested by a pinned proof server.
          </li>
          <li>
            <strong>The lineage</strong> — predecessor pointers and handoff receipts from the boundary
            approval to the ATO decision, roles and workflow policy, artifacts bound to their events.
          </li>
        </ol>
        <p className="lin-muted">
          Anything that cannot be checked is reported as not checked, with the reason.
        </p>
      </section>
      {recent.length > 0 && (
        <section className="panel">
          <h2 className="panel-title">Recent capsules</h2>
          <table className="lin-table recent">
            <tbody>
              {recent.map((r) => (
                <tr key={r.path}>
                  <td>
                    <button
                      type="button"
                      className="lin-link"
                      onClick={() => void run(api.openRecent(r.path))}
                    >
                      <DataText value={r.name} max={60} />
                    </button>
                  </td>
                  <td className="lin-muted">
                    <DataText value={r.path} max={70} />
                  </td>
                  <td className="lin-muted num">{formatBytes(r.size)}</td>
                  <td className="lin-muted">{r.openedAt.replace('T', ' ').slice(0, 16)} UTC</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </div>
  );
}
