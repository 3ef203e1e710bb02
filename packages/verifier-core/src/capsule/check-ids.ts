/**
 * Check ids emitted by capsule verification and SAR approvals (docs/spec/05-capsules.md §5.8),
 * in addition to the identity/lineage ids of chapter 4. The list is closed.
 */
export const CAPSULE_CHECK_IDS = [
  'capsule.container',
  'capsule.manifest',
  'capsule.embedded_trust',
  'capsule.file_listed',
  'capsule.file_present',
  'capsule.file_hash',
  'capsule.parse',
  'capsule.artifact_hash',
  'capsule.attested_events',
  'capsule.card_name',
  'capsule.receipt_payload',
  'capsule.workflow_steps',
  'approval.schema',
  'approval.signature',
  'approval.approver_role',
  'approval.capsule_digest',
  'approval.cited_events',
  'approval.sths',
] as const;

export type CapsuleCheckId = (typeof CAPSULE_CHECK_IDS)[number];
