import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { vectorPath } from '../../../../test/support/vectors.js';
import { canonicalize } from '../json/index.js';
import { emptyTrustStore } from '../trust/parse.js';
import { cardPayloadValue } from './card-canonical.js';
import { classifyAgentCard } from './card-shape.js';
import { verifyAgentCard } from './verify-card.js';

const read = (name: string) => readFileSync(vectorPath('a2a-agent-cards', name), 'utf8');

describe('shared A2A agent cards are classified as their README says', () => {
  it('spec v1.0 sample: valid v1.0, ES256 signature present but not verified (no key, jku never fetched), no identity', async () => {
    const text = read('a2a-spec-main-sample-card-signed.v1.json');
    const c = classifyAgentCard(text);
    expect(c.shape).toBe('a2a-v1.0');
    expect(c.errors).toEqual([]);
    expect(c.warnings.some((w) => w.includes('not in the A2A v1.0 schema'))).toBe(false);
    const r = await verifyAgentCard(text, emptyTrustStore());
    const sig = r.checks.find((x) => x.id === 'card.a2a_signature')!;
    expect(sig.status).toBe('not_checked');
    expect(sig.reason).toContain('signature present, not verified');
    expect(sig.reason).toContain('kid "key-1"');
    expect(sig.reason).toContain('jku https://example.com/agent/jwks.json is never fetched');
    expect(r.signatures[0]!.header).toMatchObject({ alg: 'ES256', kid: 'key-1', typ: 'JOSE' });
    expect(r.checks.find((x) => x.id === 'card.identity_block')!.status).toBe('not_checked');
    expect(r.checks.some((x) => x.status === 'fail')).toBe(false);
    expect(r.card.interfaces).toHaveLength(3);
    expect(r.card.skills.map((s) => s.id)).toEqual(['route-optimizer-traffic', 'custom-map-generator']);
  });

  it('spec v0.3.0 sample: v0.3 shape with the sic "0.2.9", translated interface, signature not verified', async () => {
    const text = read('a2a-spec-v0.3.0-sample-card-signed.v0.3.json');
    const c = classifyAgentCard(text);
    expect(c.shape).toBe('a2a-v0.3');
    expect(c.errors).toEqual([]);
    expect(c.protocolVersions).toEqual(['0.2.9']);
    expect(c.warnings.join('\n')).toMatch(/0\.2\.9/);
    expect(c.warnings.join('\n')).toMatch(/supportedInterfaces\[0\]/);
    const r = await verifyAgentCard(text, emptyTrustStore());
    expect(r.card.interfaces).toEqual([
      {
        url: 'https://georoute-agent.example.com/a2a/v1',
        protocolBinding: 'JSONRPC',
        protocolVersion: '0.3',
        translated: true,
      },
    ]);
    expect(r.checks.find((x) => x.id === 'card.a2a_signature')!.status).toBe('not_checked');
  });

  it('adk skills agent: valid v1.0, unsigned, warnings for http, "text" mode and extendedAgentCard:false', async () => {
    const c = classifyAgentCard(read('a2a-samples-adk-skills-agent.v1.json'));
    expect(c.shape).toBe('a2a-v1.0');
    expect(c.errors).toEqual([]);
    expect(c.protocolVersions).toEqual(['1.0', '0.3']);
    const w = c.warnings.join('\n');
    expect(w).toContain('http://localhost:10999');
    expect(w).toContain('mode "text" is not a media type');
    expect(w).toContain('extendedAgentCard');
    const r = await verifyAgentCard(read('a2a-samples-adk-skills-agent.v1.json'), emptyTrustStore());
    expect(r.checks.find((x) => x.id === 'card.a2a_signature')!.reason).toBe(
      'the card carries no A2A signature',
    );
  });

  it('adk currency agent: valid v0.3 (protocolVersion 0.3.0), not v1.0, unsigned', () => {
    const c = classifyAgentCard(read('a2a-samples-adk-currency-agent.v0.3.json'));
    expect(c.shape).toBe('a2a-v0.3');
    expect(c.errors).toEqual([]);
    expect(c.warnings.join('\n')).not.toMatch(/0\.2\.9/);
    expect(c.warnings.join('\n')).toContain('not a v1.0 card');
  });

  it('air ticketing agent: legacy ≤0.2.4 card', async () => {
    const c = classifyAgentCard(read('a2a-samples-a2a-mcp-air-ticketing-agent.v0.2.json'));
    expect(c.shape).toBe('a2a-legacy');
    expect(c.errors).toEqual([]);
    expect(c.warnings.join('\n')).toContain('legacy card (A2A ≤0.2.4');
    const r = await verifyAgentCard(
      read('a2a-samples-a2a-mcp-air-ticketing-agent.v0.2.json'),
      emptyTrustStore(),
    );
    expect(r.checks.find((x) => x.id === 'card.shape')!.found).toBe('a2a-legacy');
  });

  it('8.4.1 canonicalization example: spec form and SDK form each reproduce their documented bytes', () => {
    const v = JSON.parse(read('a2a-spec-8.4.1-canonicalization-example.json'));
    expect(canonicalize(cardPayloadValue(v.input, 'spec'))).toBe(v.expectedCanonicalPerSpecText);
    expect(canonicalize(cardPayloadValue(v.input, 'sdk'))).toBe(v.expectedCanonicalPerSdkBehaviour);
  });

  it('rejects non-cards and broken JSON as unknown with a reason', async () => {
    expect(classifyAgentCard('{"a":1,"a":2}').errors[0]).toMatch(/not strict JSON/);
    expect(classifyAgentCard('[]').shape).toBe('unknown');
    expect(classifyAgentCard('{"name":"x"}').shape).toBe('unknown');
    const r = await verifyAgentCard('{"name":', emptyTrustStore());
    expect(r.checks[0]).toMatchObject({ id: 'card.parse', status: 'fail' });
  });

  it('reports missing v1.0 required fields', () => {
    const c = classifyAgentCard(
      JSON.stringify({ name: 'x', supportedInterfaces: [{ url: 'https://a' }], skills: [{ id: 's' }] }),
    );
    expect(c.shape).toBe('a2a-v1.0');
    expect(c.errors).toContain('supportedInterfaces[0].protocolBinding is required but absent');
    expect(c.errors).toContain('skills[0].tags is required but absent');
    expect(c.errors).toContain('version is required but absent');
  });
});
