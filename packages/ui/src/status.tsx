/**
 * Our own status vocabulary: a closed set of states, each with one fixed label
 * and icon. Only values from this enum are ever drawn with status colours;
 * text from a capsule never is.
 */
export type Status = 'pass' | 'fail' | 'not_checked';
export type VerdictKind = 'verified' | 'failed' | 'incomplete';

export const STATUS_LABEL: Record<Status, string> = {
  pass: 'Passed',
  fail: 'Failed',
  not_checked: 'Not checked',
};

const STATUS_ICON: Record<Status, string> = { pass: '✓', fail: '✕', not_checked: '–' };

export function StatusBadge({ status }: { status: Status }) {
  return (
    <span className={`lin-status lin-status-${status}`}>
      <span aria-hidden="true" className="lin-status-icon">
        {STATUS_ICON[status]}
      </span>
      {STATUS_LABEL[status]}
    </span>
  );
}
