import { APPROVER_ROLES, type ApproverRole } from '@lineage/verifier-core';
import { ROLE_LABEL } from '../shared/role-labels.js';

/** The approver role a key will sign as, in words; `id` is also the control's test id. */
export function RoleSelect({
  id,
  value,
  onChange,
}: {
  id: string;
  value: ApproverRole;
  onChange: (role: ApproverRole) => void;
}) {
  return (
    <select id={id} value={value} onChange={(e) => onChange(e.target.value as ApproverRole)} data-testid={id}>
      {APPROVER_ROLES.map((r) => (
        <option key={r} value={r}>
          {ROLE_LABEL[r]}
        </option>
      ))}
    </select>
  );
}
