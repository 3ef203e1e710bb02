/**
 * The extension's verdict line. Headline, colour and mark come only from the closed status enum and
 * the sentence from the extension's fixed table — never from the site. Site data is shown elsewhere,
 * inside framed DataText, so a card named "✓ Verified" cannot pose as this line.
 */
export type TabStatusKind = 'not_checked' | 'checking' | 'verified' | 'warning' | 'failed' | 'timeout';

const HEADLINE: Record<TabStatusKind, string> = {
  not_checked: 'Not checked',
  checking: 'Checking…',
  verified: 'Verified',
  warning: 'Warning',
  failed: 'Failed',
  timeout: 'Timed out',
};

const MARK: Record<TabStatusKind, string> = {
  not_checked: '○',
  checking: '…',
  verified: '✓',
  warning: '!',
  failed: '✕',
  timeout: '?',
};

export function TabVerdict({ status, sentence }: { status: TabStatusKind; sentence: string }) {
  return (
    <section className={`lin-ext-verdict lin-ext-${status}`} data-status={status} aria-live="polite">
      <div className="lin-ext-mark" aria-hidden="true">
        {MARK[status]}
      </div>
      <div>
        <h1 className="lin-ext-headline">{HEADLINE[status]}</h1>
        <p className="lin-ext-sentence" data-testid="sentence">
          {sentence}
        </p>
      </div>
    </section>
  );
}
