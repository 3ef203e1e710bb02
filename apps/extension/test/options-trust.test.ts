/**
 * The options surface against hostile or mistaken trust stores, and what the extension keeps about
 * the sites a user visits (docs/threat-model/extension.md "Stored data").
 */
import { describe, expect, it } from 'vitest';
import { LOG_ORIGIN, LOG_VKEY, WITNESSES } from './fixture/sites.js';
import { cardFetch, goodHeaders, setup } from './support/controller-harness.js';

const store = (o: Record<string, unknown>) => JSON.stringify({ version: 1, ...o });
/** The fixture log's vkey with its key ID changed in one digit: well-formed, but not this key's ID. */
const WRONG_ID = LOG_VKEY.replace(
  /\+([0-9a-f])([0-9a-f]{7})\+/,
  (_m, d: string, rest: string) => `+${d === '0' ? '1' : '0'}${rest}+`,
);

async function refused(text: string): Promise<string> {
  const { c, store: s } = await setup(cardFetch().fetch);
  const r = await c.handle({ type: 'importTrust', text, fileName: 'pins.json' });
  expect(r.ok).toBe(false);
  // The trust store pinned before stays, untouched.
  expect(s.settings.trust.logs).toEqual([{ origin: LOG_ORIGIN, vkey: LOG_VKEY }]);
  expect(s.settings.trustSource).toBe('trust.json');
  return r.ok ? '' : r.error;
}

describe('importing a trust store: every pin is checked before it is stored, and named when refused', () => {
  it('a log vkey whose key ID does not match its key', async () => {
    expect(WRONG_ID).not.toBe(LOG_VKEY);
    expect(await refused(store({ logs: [{ origin: LOG_ORIGIN, vkey: WRONG_ID }] }))).toMatch(
      /^pins\.json: \/logs\/0\/vkey: key ID [0-9a-f]{8} does not match the key/,
    );
  });

  it('a log vkey that is not a vkey', async () => {
    expect(await refused(store({ logs: [{ origin: LOG_ORIGIN, vkey: 'hello' }] }))).toMatch(
      /^pins\.json: \/logs\/0\/vkey: expected <name>\+<key ID>\+<base64 key>/,
    );
  });

  it('a witness vkey that does not parse', async () => {
    const text = store({ witnesses: { vkeys: [WITNESSES.one.vkey, 'w+00000000+AAAA'], threshold: 1 } });
    expect(await refused(text)).toMatch(/^pins\.json: \/witnesses\/vkeys\/1: /);
  });

  it('the same log pinned twice', async () => {
    const log = { origin: LOG_ORIGIN, vkey: LOG_VKEY };
    expect(await refused(store({ logs: [log, log] }))).toMatch(
      /^pins\.json: \/logs\/1: the same log key is pinned twice \(also \/logs\/0\)/,
    );
  });

  it('the same witness twice (it would count once: a threshold of 2 could never be met)', async () => {
    const w = WITNESSES.one.vkey;
    expect(await refused(store({ witnesses: { vkeys: [w, w], threshold: 2 } }))).toMatch(
      /^pins\.json: \/witnesses\/vkeys\/1: the same witness key as \/witnesses\/vkeys\/0/,
    );
  });

  it('two card signers with one kid (which key a signature names would be ambiguous)', async () => {
    const signer = (b: string) => ({ kid: 'k1', alg: 'EdDSA', public_key: b.repeat(32) });
    expect(await refused(store({ card_signers: [signer('00'), signer('11')] }))).toMatch(
      /^pins\.json: \/card_signers\/1\/kid: the card signer kid "k1" is pinned twice \(also \/card_signers\/0\/kid\)/,
    );
  });

  it('two logs, two witnesses and one signer that are all well-formed and distinct import', async () => {
    const { c } = await setup(cardFetch().fetch);
    const r = await c.handle({
      type: 'importTrust',
      text: store({
        logs: [{ origin: LOG_ORIGIN, vkey: LOG_VKEY }],
        witnesses: { vkeys: [WITNESSES.one.vkey, WITNESSES.two.vkey], threshold: 2 },
      }),
      fileName: 'ok.json',
    });
    expect(r.ok).toBe(true);
  });
});

describe('the stored trust store is checked again when it is read', () => {
  it('a pin edited in storage is reported on the options page, naming the field, and trusts nothing', async () => {
    const f = cardFetch();
    const { c, store: s } = await setup(f.fetch);
    s.settings.trust.logs[0]!.vkey = WRONG_ID;
    const r = await c.handle({ type: 'getSettings' });
    expect(r).toMatchObject({ ok: true });
    expect(r.ok && 'settings' in r && r.trustProblem).toMatch(/^\/logs\/0\/vkey: key ID /);
    // The checks do not half-use it: nothing is pinned, so the good site is no more than a warning.
    await c.onDocumentHeaders(3, 'https://agent.example/', goodHeaders);
    expect((await c.view(3)).state.status).toBe('warning');
  });

  it('an intact store reports no problem', async () => {
    const { c } = await setup(cardFetch().fetch);
    const r = await c.handle({ type: 'getSettings' });
    expect(r.ok && 'settings' in r && r.trustProblem).toBeFalsy();
  });
});

describe('what is kept about visited sites', () => {
  it('a site that does not advertise Lineage leaves nothing in storage (not even its origin)', async () => {
    const f = cardFetch();
    const { c, store: s } = await setup(f.fetch);
    await c.onDocumentHeaders(4, 'https://private-bank.example/account', [
      { name: 'content-type', value: 'text/html' },
    ]);
    expect(f.count()).toBe(0);
    expect(s.tabHeaders.size).toBe(0);
    expect(s.entries).toHaveLength(0);
    expect(s.cache.size).toBe(0);
  });

  it('a tab that moves from a Lineage site to another site forgets the first site’s headers', async () => {
    const { c, store: s } = await setup(cardFetch().fetch);
    await c.onDocumentHeaders(4, 'https://agent.example/', goodHeaders);
    expect(s.tabHeaders.get(4)?.origin).toBe('https://agent.example');
    await c.onDocumentHeaders(4, 'https://agent.example/other', []);
    expect(s.tabHeaders.size).toBe(0);
  });

  it('tab records do not outlive the browser session (tab ids are not kept across restarts)', async () => {
    const { c, store: s } = await setup(cardFetch().fetch);
    await c.onDocumentHeaders(4, 'https://agent.example/', goodHeaders);
    expect(s.tabHeaders.size).toBe(1);
    await c.onBrowserStartup();
    expect(s.tabHeaders.size).toBe(0);
  });
});
