/**
 * The one narrow API the renderer gets (`window.lineage`). The preload script
 * exposes exactly these methods over IPC; the offline HTML build implements
 * them in the page; the browser tests bridge them to the real main-process
 * services. Every argument and result is plain, structured-cloneable data.
 */
import type { ApproverRole } from '@lineage/verifier-core';
import type { ReportView, VerifyProgress } from './contract.js';

export interface OpenedCapsule {
  capsuleId: string;
  name: string;
  size: number;
  /** Absolute path when it came from disk (dialog, recent, drop in Electron): for display. */
  path?: string;
}

export interface RecentFile {
  path: string;
  name: string;
  size: number;
  openedAt: string;
}

export type VerifyOutcome =
  | { status: 'done'; verification: ReportView }
  | { status: 'cancelled' }
  | { status: 'error'; message: string };

export type TrustKind = 'log' | 'witness' | 'proof-server' | 'approver' | 'card-signer';
export type { ApproverRole };

export interface TrustEntryView {
  /** Stable handle for removal: "<kind>:<identifier>". */
  id: string;
  kind: TrustKind;
  /** Log origin, proof-server id, approver id, witness key name, card signer kid. */
  name: string;
  /** Approver display name. */
  label?: string;
  /** SHA-256 of the raw public key, hex, for display. */
  fingerprint: string;
  /** The same fingerprint in groups of four hex digits, to compare aloud over the phone. */
  fingerprintGroups: string[];
  algorithm: 'ed25519' | 'ecdsa-p256';
  roles?: ApproverRole[];
}

export interface TrustImportRequest {
  kind: TrustKind;
  /** Log origin / proof-server id / approver id / card kid. Optional for logs and witnesses (taken from the vkey name). */
  name?: string;
  label?: string;
  /** Key file text: C2SP vkey, hex, PEM or base64 SPKI, or a Lineage approver public-key JSON. */
  text: string;
  roles?: ApproverRole[];
}

export interface TrustStoreView {
  entries: TrustEntryView[];
  witnessThreshold: number;
  /** True when the store has the keys a capsule verification needs (at least one log). */
  usable: boolean;
}

export interface KeyStatus {
  exists: boolean;
  unlocked: boolean;
  approverId?: string;
  role?: ApproverRole;
  fingerprint?: string;
  fingerprintGroups?: string[];
}

/** What a key file made by `lineage keygen` says outside its sealed part (nothing is decrypted). */
export interface KeyFileInfo {
  /** The approver id it was made for (`--owner`), when it names one. */
  owner?: string;
  /** The public key, hex, as keygen printed it. */
  publicKey: string;
  fingerprint: string;
  fingerprintGroups: string[];
}

/** A key made by `lineage keygen`, to be kept as the approver key. */
export interface KeyImportRequest {
  /** The key file's text (bounded: MAX_KEY_FILE_CHARS). */
  keyfile: string;
  passphrase: string;
  name: string;
  role: ApproverRole;
  /** Required when the key file names no owner; when it does, the owner is the id. */
  approverId?: string;
}

export type Decision = 'approve' | 'reject' | 'conditional';

export interface ApprovalRequest {
  capsuleId: string;
  decision: Decision;
  comment: string;
}

export interface ApprovalPreview {
  /** Plain-language sentences, exactly what the signature will commit to. */
  lines: string[];
  /**
   * The approval document that will be signed, without a signature, shown verbatim (empty when
   * blocked). Nothing is signed until approvalSign, which signs exactly this document.
   */
  documentJson: string;
  /** Why signing is not possible right now (capsule not verified, key locked…). */
  blocked?: string;
}

export interface SignedApproval {
  fileName: string;
  text: string;
  /** QR frames: each "LNG1/<index>/<total>/<file digest>/<chunk check>/<base64url data>" (shared/qr-frames.ts). */
  qrFrames: string[];
}

/**
 * What an approval file says, read from it: the decision, who, when, the comment or conditions,
 * and the capsule and verification result it states. The checks say whether it can be believed.
 */
export interface ApprovalStatement {
  decision: Decision;
  approverId: string;
  role: ApproverRole;
  signedAt: string;
  comment: string;
  capsule: { id: string; title: string; digest: string };
  verification: {
    verifiedAt: string;
    verdict: 'verified' | 'failed' | 'incomplete';
    pass: number;
    fail: number;
    notChecked: number;
  };
}

export interface ApprovalCheck {
  verdict: 'verified' | 'failed' | 'incomplete';
  summary: string;
  /** Absent when the file could not be read as an approval. */
  statement?: ApprovalStatement;
  lines: {
    status: 'pass' | 'fail' | 'not_checked';
    title: string;
    reason?: string;
    expected?: string;
    found?: string;
  }[];
}

export type ExportFormat = 'json' | 'oscal' | 'html' | 'pdf' | 'approval' | 'trust' | 'public-key';

export interface SaveResult {
  saved: boolean;
  path?: string;
}

export type ApiEvent = { type: 'verify-progress'; capsuleId: string; progress: VerifyProgress };

export interface LineageApi {
  /** Where the API is running: the desktop app, or the offline single-file page. */
  readonly host: 'desktop' | 'offline';
  openCapsuleDialog(): Promise<OpenedCapsule | null>;
  /**
   * Reopens an entry of the recent files list, named by its exact path. The main process opens
   * only paths it chose itself (its dialog, a drop, this list), never one the page makes up.
   */
  openRecent(path: string): Promise<OpenedCapsule>;
  openCapsuleBytes(name: string, bytes: Uint8Array): Promise<OpenedCapsule>;
  recentFiles(): Promise<RecentFile[]>;
  /**
   * Opens a dropped file from disk, when the host can know its path (Electron: the preload asks
   * webUtils, out of the page's reach); null when it cannot, and the page sends the bytes instead.
   */
  openDroppedFile?(file: File): Promise<OpenedCapsule | null>;

  verify(capsuleId: string): Promise<VerifyOutcome>;
  cancelVerify(capsuleId: string): Promise<void>;

  trustList(): Promise<TrustStoreView>;
  trustImport(req: TrustImportRequest): Promise<TrustStoreView>;
  trustRemove(id: string): Promise<TrustStoreView>;
  trustExportText(): Promise<string>;
  /** Replaces the whole store with a trust-store JSON document (spec §4.8). */
  trustImportStore(text: string): Promise<TrustStoreView>;

  keyStatus(): Promise<KeyStatus>;
  keyCreate(req: {
    approverId: string;
    name: string;
    role: ApproverRole;
    passphrase: string;
  }): Promise<KeyStatus>;
  /** Reads a key file made by `lineage keygen` (owner, public key) without decrypting it. */
  keyFileInfo(keyfile: string): Promise<KeyFileInfo>;
  /**
   * Keeps a key made by `lineage keygen` as the approver key, re-sealed under `<id>#<role>` with
   * the same passphrase, and unlocks it; never replaces an existing key.
   */
  keyImport(req: KeyImportRequest): Promise<KeyStatus>;
  keyUnlock(passphrase: string): Promise<KeyStatus>;
  keyLock(): Promise<KeyStatus>;
  keyPublicText(): Promise<string>;

  approvalPreview(req: ApprovalRequest): Promise<ApprovalPreview>;
  approvalSign(req: ApprovalRequest): Promise<SignedApproval>;
  /** Verifies an approval file; with an open, verified capsule also checks it is about that capsule. */
  approvalVerify(text: string, capsuleId?: string): Promise<ApprovalCheck>;

  /** Save an export through the host's save dialog. `content` is only used for 'approval' (the signed text). */
  exportFile(req: { capsuleId?: string; format: ExportFormat; content?: string }): Promise<SaveResult>;

  onEvent(listener: (e: ApiEvent) => void): () => void;
}

/** IPC channel names: one per method, invoked with the method's arguments. */
export const API_METHODS = [
  'openCapsuleDialog',
  'openRecent',
  'openCapsuleBytes',
  'recentFiles',
  'verify',
  'cancelVerify',
  'trustList',
  'trustImport',
  'trustRemove',
  'trustExportText',
  'trustImportStore',
  'keyStatus',
  'keyCreate',
  'keyFileInfo',
  'keyImport',
  'keyUnlock',
  'keyLock',
  'keyPublicText',
  'approvalPreview',
  'approvalSign',
  'approvalVerify',
  'exportFile',
] as const;

export type ApiMethod = (typeof API_METHODS)[number];

/**
 * IPC channels the preload itself calls and never hands to the page: `openDropped` takes the path
 * the preload got from webUtils for a File the user dropped, so the page cannot name a path.
 */
export const PRELOAD_METHODS = ['openDropped'] as const;
export type PreloadMethod = (typeof PRELOAD_METHODS)[number];
export type IpcMethod = ApiMethod | PreloadMethod;

/** The methods the main process implements: the page's API (not host, openDroppedFile, onEvent) and the preload's. */
export type MainApi = Pick<LineageApi, ApiMethod> & {
  openDropped(path: string): Promise<OpenedCapsule>;
};

export const IPC_PREFIX = 'lineage:';
export const EVENT_CHANNEL = 'lineage:event';
