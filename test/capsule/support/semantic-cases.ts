// The semantic-tamper scenarios as sample hooks, written once: a colluding producer holds every
// agent key and its own staff are pinned approvers, so each hook re-signs the events, rebuilds the
// log, its tree heads, the attestation and the proofs. test/capsule/semantic-tamper.test.ts asserts
// the check each one fails; test/independent/capsule-conformance.test.ts runs the same capsules
// through the independent verifier and the project's and compares them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  acknowledgeHandoff,
  type Ed25519Key,
  type EventSpec,
  LineageStore,
  lineageSthSigner,
  ProofServer,
  revokeA3,
  SAMPLE_AGENTS,
  SAMPLE_LOG_ID,
  SAMPLE_PROOF_SERVER,
  type SampleHooks,
  sendHandoff,
} from '@lineage/producer';
import {
  eventEntryBytes,
  eventLeafHash,
  formatTimestamp,
  type HandoffReceipt,
  toHex,
  type UnsignedAttestation,
  without,
} from '@lineage/verifier-core';
import { reissueCard } from '../../redteam/support.js';

/** The sample's minute 0; its events are placed at minutes after it. */
const BASE = Date.parse('2026-11-02T14:00:00.000Z');
/** The sample's timestamp `m` minutes after its start, as events and reports write it. */
export const minutes = (m: number) => formatTimestamp(BASE + m * 60_000);

const spec = (specs: EventSpec[], key: string) => specs.find((x) => x.key === key)!;

/** Re-signs a receipt with the given keys after editing its sender part (a fresh acknowledgement 2 s later). */
export function resign(
  r: HandoffReceipt,
  edit: Partial<HandoffReceipt>,
  sender: Ed25519Key,
  receiver: Ed25519Key,
): HandoffReceipt {
  const {
    sender_signature: _s,
    receiver_signature: _r,
    type: _t,
    version: _v,
    acknowledgement,
    ...part
  } = { ...r, ...edit };
  const received = formatTimestamp(Date.parse(part.sent_at) + 2_000);
  return acknowledgeHandoff(
    sendHandoff(part, sender),
    { ...acknowledgement, received_at: received },
    receiver,
  );
}

/** The risk acceptance (3a) signed validly by the compliance lead, in her own role. */
export const riskAcceptedByComplianceLead = (): SampleHooks => ({
  specs: (specs) => {
    spec(specs, '3a').actor = { kind: 'human', human: 'cl' };
    spec(specs, '3a').approval = {
      role: 'compliance_lead',
      decision: 'approve',
      statement: 'Risk accepted.',
    };
  },
});

/** The approval of spec `key` (3a risk acceptance, 5a SAR, e0 boundary) says "reject". */
export const rejected = (key: '3a' | '5a' | 'e0'): SampleHooks => ({
  specs: (specs) => {
    spec(specs, key).approval = { ...spec(specs, key).approval!, decision: 'reject' };
  },
});

/** Spec `key` signed at minute `at` (3a at 140 is before the scan at 150; 6 at 590 before the SAR at 600). */
export const signedAt = (key: '3a' | '6', at: number): SampleHooks => ({
  specs: (specs) => {
    spec(specs, key).at = at;
  },
});

/** A2's baselines event numbered `n` (it is A2's third: 4 leaves a gap, 2 reuses a number). */
export const baselinesSequence = (n: number): SampleHooks => ({
  specs: (specs) => {
    spec(specs, 'A2-baselines').sequence = n;
  },
});

/** A3's key revoked by `actor` before its scan (producer revokeA3). */
export const revokedBy = (actor: EventSpec['actor']): SampleHooks => revokeA3(actor, 'key exposed');

/** A1's card re-issued with lineage pointers to A2's registration. */
export const cardLineageToA2 = (): SampleHooks => ({
  content: (c, { keys }) => {
    const a1 = SAMPLE_AGENTS.find((q) => q.key === 'A1')!;
    reissueCard(c, 'A1', keys.agents.A1!, `A1 ${a1.name}`, keys.agents.A2!.agentId);
  },
});

/**
 * The log signs its only tree head at minute 400 (the attestation is issued at 401), so the SAR
 * (600) and the ATO decision (900) it includes are dated after it.
 */
export const earlyTreeHead = (): SampleHooks => ({
  attestation: async (_u, { keys, events }) => {
    const dir = mkdtempSync(join(tmpdir(), 'lineage-early-sth-'));
    try {
      const store = LineageStore.open(dir, {
        origin: SAMPLE_LOG_ID,
        signer: lineageSthSigner(SAMPLE_LOG_ID, keys.log, () => BASE + 400 * 60_000),
        sthEvery: 1_000_000,
        fsync: false,
      });
      for (const e of events) await store.append(eventEntryBytes(e));
      await store.publish();
      const a = new ProofServer(SAMPLE_PROOF_SERVER, keys.proofServer.secretKey, [store]).attest({
        leaves: events.map((e) => toHex(eventLeafHash(e))),
        issuedAt: minutes(401),
        proofStyle: 'both',
      });
      store.close();
      return without(a, 'signature') as unknown as UnsignedAttestation;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
});

/** Receipt handoff-04 (A3 → A4) with its two valid signatures swapped. */
export const receiptSignaturesSwapped = (): SampleHooks => ({
  content: (c) => {
    c.receipts = c.receipts.map((x) =>
      x.handoff_id === 'handoff-04'
        ? { ...x, sender_signature: x.receiver_signature, receiver_signature: x.sender_signature }
        : x,
    );
  },
});

/** Workflow step A3 lists its first event a second time. */
export const eventTwiceInStep = (): SampleHooks => ({
  content: (c) => {
    const st = c.workflow.steps.find((x) => x.id === 'A3')!;
    st.events = [...st.events, st.events[0]!];
  },
});

/** The SAR (5a) and the ATO decision (6) signed by the CSP's own compliance lead and AO, in their own roles. */
export const sarAndAtoByCspStaff = (): SampleHooks => ({
  specs: (specs) => {
    spec(specs, '5a').actor = { kind: 'human', human: 'cl' };
    spec(specs, '5a').approval = { role: 'compliance_lead', decision: 'approve', statement: 'SAR.' };
    spec(specs, '6').actor = { kind: 'human', human: 'ao' };
    spec(specs, '6').approval = { role: 'authorizing_official', decision: 'approve', statement: 'ATO.' };
  },
});

/** The ATO decision (agency_ao) signed by the CSP's AO, who is not pinned with that role. */
export const atoByUnpinnedApprover = (): SampleHooks => ({
  specs: (specs) => {
    spec(specs, '6').actor = { kind: 'human', human: 'ao' };
  },
});

/**
 * The risk acceptance moved before the scan it accepts (minute 140), citing only the earlier
 * approval; the SSP cites both.
 */
export const riskAcceptedBeforeScan = (): SampleHooks => ({
  specs: (specs) => {
    const a3 = specs.splice(
      specs.findIndex((x) => x.key === '3a'),
      1,
    )[0]!;
    specs.splice(
      specs.findIndex((x) => x.key === 'A3-scan'),
      0,
      { ...a3, at: 140, predecessors: ['2a'] },
    );
    spec(specs, 'A4-ssp').predecessors = ['3a', 'A3-scan', 'A4-register'];
  },
});

/** Receipt handoff-04 re-signed by A3 and A4 as sent at minute 100, 50 minutes before the scan it hands over. */
export const receiptBeforeScan = (): SampleHooks => ({
  content: (c, { keys }) => {
    c.receipts = c.receipts.map((x) =>
      x.handoff_id === 'handoff-04'
        ? resign(x, { sent_at: minutes(100) }, keys.agents.A3!, keys.agents.A4!)
        : x,
    );
  },
});

/** Scan results worse than the first scan's: a critical finding, open. */
const worseScan = new TextEncoder().encode(
  `${JSON.stringify({ scanner: 'rescan', findings: [{ id: 'F-009', severity: 'critical', status: 'open' }] })}\n`,
);

/**
 * A3 scans again at minute `at` (after the compliance officer's approval, as the policy requires)
 * and finds a critical issue; nothing builds on the rescan, so the SAR and the ATO decision cover
 * only the first scan. 1000 is after the ATO decision (900), 210 between the risk acceptance and
 * the SSP.
 */
export const rescanNotCovered = (at: number): SampleHooks => ({
  specs: (specs) => {
    const rescan: EventSpec = {
      key: 'A3-rescan',
      step: 'A3',
      actor: { kind: 'agent', agent: 'A3' },
      action: 'scan.run',
      controls: ['RA-5', 'SI-2'],
      predecessors: ['2a'],
      artifact: { path: 'artifacts/A3-rescan-results.json', bytes: worseScan, title: 'Rescan results' },
      at,
    };
    const after = specs.findIndex((x) => x.at > at);
    specs.splice(after < 0 ? specs.length : after, 0, rescan);
  },
});

/**
 * A second engagement (`acme-x-ato`: its own AO boundary approval, compliance officer approval and
 * scan, by the CSP's staff and A3) carried in the package beside the sample's: the SAR and the ATO
 * decision in the capsule belong to the other one.
 */
export const secondEngagement = (): SampleHooks => ({
  specs: (specs) => {
    const e0 = spec(specs, 'e0');
    const co = spec(specs, '2a');
    specs.push(
      { ...e0, key: 'X-e0', engagement: 'acme-x-ato', at: 1000, commitments: [], artifact: undefined },
      { ...co, key: 'X-2a', engagement: 'acme-x-ato', predecessors: ['X-e0'], at: 1010 },
      {
        ...spec(specs, 'A3-scan'),
        key: 'X-scan',
        engagement: 'acme-x-ato',
        predecessors: ['X-2a'],
        artifact: { path: 'artifacts/X-scan-results.json', bytes: worseScan, title: 'Scan results' },
        at: 1020,
      },
    );
  },
});
