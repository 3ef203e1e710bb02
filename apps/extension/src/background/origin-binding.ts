import type { CheckOutcome } from '@lineage/verifier-core';

/**
 * What ties a card to the site serving it (spec §6.4.2). A card and its proofs are public: anyone can
 * copy them byte for byte to another origin, and every signature and proof still holds there. What a
 * copy cannot change is where the card says its agent is: the visited origin must be one the card
 * names. And on plain HTTP a network attacker can serve any card and any headers for the origin, so
 * such an origin is never more than a warning.
 */

export const CARD_ORIGIN_CHECK = 'card.origin';
export const TRANSPORT_CHECK = 'proof.transport';

/** At most this many URLs of a card are considered (a card lists a handful of interfaces). */
const MAX_URLS = 64;

/** The http(s) origin of a URL, or null (another scheme, not a URL). */
function httpOrigin(url: unknown): string | null {
  if (typeof url !== 'string') return null;
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : null;
  } catch {
    return null;
  }
}

/**
 * The origins an A2A card names for its agent: the `url` of every interface the agent is reached
 * at — v1.0 `supportedInterfaces[].url`; v0.3 `url` and `additionalInterfaces[].url`; ≤ 0.2 `url`.
 * `provider.url`, `documentationUrl` and `iconUrl` name other things and do not count.
 */
export function namedOrigins(card: unknown): string[] {
  if (typeof card !== 'object' || card === null || Array.isArray(card)) return [];
  const c = card as Record<string, unknown>;
  const urls: unknown[] = [c.url];
  for (const list of [c.supportedInterfaces, c.additionalInterfaces]) {
    if (!Array.isArray(list)) continue;
    for (const i of list.slice(0, MAX_URLS)) {
      if (typeof i === 'object' && i !== null) urls.push((i as Record<string, unknown>).url);
    }
  }
  const out: string[] = [];
  for (const u of urls) {
    const o = httpOrigin(u);
    if (o && !out.includes(o)) out.push(o);
  }
  return out;
}

/** `card.origin`: the visited origin is one the card names (not checked: a copy, or a card elsewhere). */
export function cardOriginOutcome(origin: string, named: readonly string[]): CheckOutcome {
  const base = {
    id: CARD_ORIGIN_CHECK,
    subject: { kind: 'card' as const, id: origin, field: 'supportedInterfaces[].url' },
    title: 'The agent card names the origin that serves it',
  };
  if (named.includes(origin)) return { ...base, status: 'pass' };
  return {
    ...base,
    status: 'not_checked',
    reason:
      'the card is served by an origin it does not name: it may be a copy of another agent’s card, so its identity and proofs say nothing about this site',
    expected: `an interface URL on ${origin}`,
    found: named.length === 0 ? 'no http(s) interface URL' : named.slice(0, 8).join(', '),
  };
}

/**
 * W3C Secure Contexts §3.1 "potentially trustworthy origin", as browsers apply it: https, and http
 * to a loopback host (127.0.0.0/8, ::1, localhost and *.localhost), which never leaves the machine.
 */
export function isPotentiallyTrustworthy(origin: string): boolean {
  let u: URL;
  try {
    u = new URL(origin);
  } catch {
    return false;
  }
  if (u.protocol === 'https:') return true;
  if (u.protocol !== 'http:') return false;
  const host = u.hostname.replace(/\.$/, '').toLowerCase();
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host === '[::1]' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
  );
}

/** `proof.transport`: what the site served could not have been injected by the network. */
export function transportOutcome(origin: string): CheckOutcome {
  const base = {
    id: TRANSPORT_CHECK,
    subject: { kind: 'sth' as const, id: origin },
    title: 'The site is reached over HTTPS (or loopback), so the network cannot change what it serves',
  };
  if (isPotentiallyTrustworthy(origin)) return { ...base, status: 'pass' };
  return {
    ...base,
    status: 'not_checked',
    reason:
      'the site is plain HTTP: anyone on the network path could have served this card and these proof headers, so the page is never verified',
    expected: 'an https: origin (or a loopback address)',
    found: origin,
  };
}
