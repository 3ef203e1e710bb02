import type { ApproverRole } from '@lineage/verifier-core';

/** An approver role in words, for every screen and for the sentences an approver signs. */
export const ROLE_LABEL: Readonly<Record<ApproverRole, string>> = {
  authorizing_official: 'Authorizing Official',
  compliance_officer: 'Compliance Officer',
  security_officer: 'Security Officer',
  compliance_lead: 'Compliance Lead',
  '3pao_assessor': '3PAO Assessor',
  agency_ao: 'Agency Authorizing Official',
};
