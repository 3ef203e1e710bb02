/**
 * The verdict, stated by us. The headline, colour and icon come only from the
 * closed `verdict` enum; the capsule's own name and digest are shown below as
 * framed data, so no text inside a capsule can look like our verdict.
 */
import { formatCount } from '@lineage/verifier-core';
import { DataText } from './data-text.js';
import type { VerdictKind } from './status.js';

const HEADLINE: Record<VerdictKind, string> = {
  verified: 'Verified',
  failed: 'Verification failed',
  incomplete: 'Incomplete — not everything could be checked',
};

const SENTENCE: Record<VerdictKind, string> = {
  verified: 'Every check passed against the keys in your trust store.',
  failed: 'At least one check failed. Do not rely on this capsule until the failures below are explained.',
  incomplete: 'No check failed, but some could not be performed. See "Not checked" for why.',
};

const ICON: Record<VerdictKind, string> = { verified: '✓', failed: '✕', incomplete: '!' };

export interface VerdictBannerProps {
  verdict: VerdictKind;
  summary: { pass: number; fail: number; not_checked: number };
  targetName: string;
  digest?: string;
  verifiedAt: string;
}

export function VerdictBanner({ verdict, summary, targetName, digest, verifiedAt }: VerdictBannerProps) {
  return (
    <section className={`lin-verdict lin-verdict-${verdict}`} aria-live="polite" data-verdict={verdict}>
      <div className="lin-verdict-mark" aria-hidden="true">
        {ICON[verdict]}
      </div>
      <div className="lin-verdict-body">
        <h2 className="lin-verdict-headline">{HEADLINE[verdict]}</h2>
        <p className="lin-verdict-sentence">{SENTENCE[verdict]}</p>
        <p className="lin-verdict-counts">
          <span>
            <strong>{formatCount(summary.fail)}</strong> failed
          </span>
          <span>
            <strong>{formatCount(summary.not_checked)}</strong> not checked
          </span>
          <span>
            <strong>{formatCount(summary.pass)}</strong> passed
          </span>
        </p>
      </div>
      <dl className="lin-verdict-target">
        <dt>Capsule file</dt>
        <dd>
          <DataText value={targetName} max={48} />
        </dd>
        {/* Not the hash of the .zip: the capsule digest is what approvals bind, and two files
            holding the same manifest (one with an edited artifact) share it. */}
        <dt title="SHA-256 of the capsule's canonical manifest, which lists the SHA-256 of every file in the capsule (not the hash of the .zip file)">
          Capsule digest
        </dt>
        <dd>
          <DataText value={digest} max={32} />
        </dd>
        <dt>Verified at</dt>
        <dd className="lin-mono">{verifiedAt}</dd>
      </dl>
    </section>
  );
}
