/** Trust store wire format (docs/spec/04-identity-and-lineage.md §4.8). */

export const APPROVER_ROLES = [
  'authorizing_official',
  'compliance_officer',
  'security_officer',
  'compliance_lead',
  '3pao_assessor',
  'agency_ao',
] as const;
export type ApproverRole = (typeof APPROVER_ROLES)[number];

export interface TrustedLog {
  /** Checkpoint origin line. */
  origin: string;
  /** C2SP verifier key (`name+hash+base64`). */
  vkey: string;
}

export interface TrustedProofServer {
  id: string;
  /** Ed25519 public key, hex. */
  public_key: string;
}

export interface TrustedApprover {
  id: string;
  name: string;
  public_key: string;
  roles: ApproverRole[];
}

export interface TrustedCardSigner {
  kid: string;
  alg: 'EdDSA' | 'ES256';
  /** 32-byte Ed25519 key or 65-byte SEC1 uncompressed P-256 point, hex. */
  public_key: string;
}

export interface ActionRule {
  actors?: string[];
  actor_kinds?: Array<'agent' | 'human'>;
  roles?: ApproverRole[];
}

/**
 * A human approval the workflow requires before some events (spec §4.3, `chain.required_approval`):
 * the events with `action` (or the approvals by `approval_role`) must build on, transitively, an
 * authentic approve/conditional approval by one of `after_approval_by`.
 */
export interface ApprovalRequirement {
  action?: string;
  approval_role?: ApproverRole;
  after_approval_by: ApproverRole[];
  /**
   * Work the approval must come after: every event with one of these actions that the gated event
   * builds on must itself be built on by an approval that opens this gate (a risk acceptance
   * signed after, and citing, the scan it accepts).
   */
  approval_covers?: string[];
}

export interface WorkflowPolicy {
  /** Roles a root approval may carry. Default ["authorizing_official"]. */
  root_roles?: ApproverRole[];
  /** When true, the chain must be a single line: one predecessor per event, no two children. */
  linear?: boolean;
  actions?: Record<string, ActionRule>;
  /** Human approvals that must come before the events they gate. */
  requires?: ApprovalRequirement[];
  /**
   * Events the chain must hold, authentic (spec §4.3, `chain.required_event`): for the verifier of a
   * complete package, e.g. the 3PAO's SAR and the agency AO's ATO decision. Leave it out to verify
   * a workflow still under way.
   */
  must_include?: PresenceRequirement[];
}

/** An event the chain must hold: one with `action`, or an approval by `approval_role` (exactly one). */
export interface PresenceRequirement {
  action?: string;
  approval_role?: ApproverRole;
  /**
   * When true, the event meeting the rule must build on every other workflow event of the chain
   * (lifecycle events apart): the decision covers the whole package (spec §4.3).
   */
  covers_chain?: boolean;
}

export interface TrustStore {
  version: 1;
  logs: TrustedLog[];
  witnesses: { vkeys: string[]; threshold: number };
  proof_servers: TrustedProofServer[];
  approvers: TrustedApprover[];
  card_signers: TrustedCardSigner[];
  policy: WorkflowPolicy;
}
