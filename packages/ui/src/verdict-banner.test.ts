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
});
