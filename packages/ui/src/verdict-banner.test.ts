import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { VerdictBanner } from './verdict-banner.js';

describe('the verdict banner', () => {
  it('writes its counts as the rest of the app does, with thousands separators', () => {
    const html = renderToStaticMarkup(
      createElement(VerdictBanner, {
        verdict: 'failed',
        summary: { pass: 84026, fail: 1200, not_checked: 3 },
        targetName: 'large.capsule.zip',
        verifiedAt: '2026-11-22T00:00:00Z',
      }),
    );
    expect(html).toContain('<strong>84,026</strong> passed');
    expect(html).toContain('<strong>1,200</strong> failed');
    expect(html).toContain('<strong>3</strong> not checked');
  });

  it('names the digest for what it is: the capsule digest (of its manifest), not a SHA-256 of the file', () => {
    const html = renderToStaticMarkup(
      createElement(VerdictBanner, {
        verdict: 'verified',
        summary: { pass: 1, fail: 0, not_checked: 0 },
        targetName: 'fedramp.capsule.zip',
        digest: 'ab'.repeat(32),
        verifiedAt: '2026-11-22T00:00:00Z',
      }),
    );
    // Beside "Capsule file", "SHA-256" read as the hash of the .zip: an edited copy showed the same one.
    expect(html).not.toMatch(/<dt[^>]*>SHA-256<\/dt>/);
    expect(html).toMatch(
      /<dt title="SHA-256 of the capsule&#x27;s canonical manifest[^"]*">Capsule digest<\/dt>/,
    );
  });
});
