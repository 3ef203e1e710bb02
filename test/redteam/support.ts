import {
  type AgentKey,
  addIdentityBlock,
  baseAgentCard,
  type buildFedrampSample,
  type CapsuleContent,
  SAMPLE_AGENTS,
  SAMPLE_LOG_ID,
  signAgentCard,
  zipCapsule,
} from '@lineage/producer';
import {
  type CapsuleVerification,
  type CheckOutcome,
  eventId,
  sha256,
  type TrustStore,
  toHex,
  verifyCapsule,
  zipCapsuleSource,
} from '@lineage/verifier-core';

export const verifiedAt = '2026-11-22T00:00:00Z';
export const dec = new TextDecoder();
export const enc = new TextEncoder();
export type Sample = Awaited<ReturnType<typeof buildFedrampSample>>;

export async function verifyZip(zip: Uint8Array, trust: TrustStore): Promise<CapsuleVerification> {
  return verifyCapsule(zipCapsuleSource(zip), trust, { verifiedAt, capsuleName: 'attack.zip' });
}

/** Re-lists every file in the (unsigned) manifest, as an attacker who rewrites it would. */
export function repack(files: Map<string, Uint8Array>, dropFromManifest: string[] = []): Uint8Array {
  const manifest = JSON.parse(dec.decode(files.get('manifest.json')!));
  manifest.files = manifest.files.filter((f: { path: string }) => !dropFromManifest.includes(f.path));
  for (const f of manifest.files) {
    const b = files.get(f.path);
    if (b) {
      f.size = b.length;
      f.sha256 = toHex(sha256(b));
    }
  }
  return zipCapsule(new Map([...files, ['manifest.json', enc.encode(JSON.stringify(manifest))]]));
}

export function lines(files: Map<string, Uint8Array>, path: string): string[] {
  return dec.decode(files.get(path)!).trimEnd().split('\n');
}

export function withLines(
  files: Map<string, Uint8Array>,
  path: string,
  ls: string[],
): Map<string, Uint8Array> {
  return new Map([...files, [path, enc.encode(`${ls.join('\n')}\n`)]]);
}

export function withText(
  files: Map<string, Uint8Array>,
  path: string,
  text: string,
): Map<string, Uint8Array> {
  return new Map([...files, [path, enc.encode(text)]]);
}

export const failed = (v: { report: { checks: CheckOutcome[] } }): CheckOutcome[] =>
  v.report.checks.filter((c) => c.status === 'fail');

export const failedIds = (v: { report: { checks: CheckOutcome[] } }): string[] => [
  ...new Set(failed(v).map((c) => c.id)),
];

/**
 * In a sample's content hook: re-issues an agent's card (by the CSP, which holds its agents' keys)
 * under `name`, its lineage pointing at the registration of `registered` (default the agent itself).
 */
export function reissueCard(
  c: CapsuleContent,
  agentKey: 'A1' | 'A2' | 'A3' | 'A4' | 'A5',
  key: AgentKey,
  name: string,
  registered: string = key.agentId,
): void {
  const agent = SAMPLE_AGENTS.find((q) => q.key === agentKey)!;
  const reg = c.events.findIndex((e) => e.action === 'identity.register' && e.actor === registered);
  let card = baseAgentCard(name, [agent.skill]);
  card = addIdentityBlock(card, key, {
    lineage: {
      log_origin: SAMPLE_LOG_ID,
      registration_event_id: eventId(c.events[reg]!),
      registration_leaf_index: reg,
    },
  });
  card = signAgentCard(card, { alg: 'EdDSA', kid: key.agentId, key });
  c.cards = c.cards.map((x) => (x.stem === agent.slug ? { stem: x.stem, card } : x));
}
