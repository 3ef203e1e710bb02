import type { Attestation } from '../attestation/types.js';
import type { Opening } from '../commitments/types.js';
import { utf8DecodeStrict } from '../encoding/bytes.js';
import { describe } from '../events/fields.js';
import { ReadEvent, readEventText } from '../events/prepared.js';
import type { SignatureQueue } from '../events/signature-queue.js';
import type { LineageEvent } from '../events/types.js';
import {
  type JsonValue,
  type ParsedJsonText,
  parseStrictJson,
  parseStrictJsonBytes,
  parseStrictJsonBytesText,
} from '../json/index.js';
import type { HandoffReceipt } from '../receipts/types.js';
import type { CheckOutcome } from '../report/model.js';
import { errorOutcomeDetail, isLineageError, LineageError } from '../result.js';
import type { CapsuleManifest, ManifestFile } from './manifest.js';

/** The capsule's documents, as raw strict-JSON values with where each came from. */
export interface Located<T> {
  value: T;
  /** "events.jsonl:3", "cards/a2.json" — used in every message about it. */
  where: string;
  /** Events: the line read, schema-checked and hashed at once (then `value` is null). */
  read?: ReadEvent;
  /** Attestations: the parsed text, whose canonical form (if it is one) is hashed as it is. */
  parsed?: ParsedJsonText;
}

export interface CapsuleDocuments {
  events: Located<JsonValue>[];
  receipts: Located<JsonValue>[];
  /** Cards keep their text: the card verifier classifies and parses it itself. */
  cards: Located<string>[];
  attestations: Located<JsonValue>[];
  openings: Located<JsonValue>[];
}

export type TypedDocuments = {
  events: Located<LineageEvent>[];
  receipts: Located<HandoffReceipt>[];
  attestations: Located<Attestation>[];
  openings: Located<Opening>[];
};

function parseFailure(file: string, e: unknown): CheckOutcome {
  const le = isLineageError(e) ? e : new LineageError('capsule.parse', String(e));
  return {
    id: 'capsule.parse',
    status: 'fail',
    subject: { kind: 'file', id: file, ...(le.path ? { field: le.path } : {}) },
    title: 'capsule documents are strict JSON',
    // The subject names the file, line and pointer; the reason is what is wrong there.
    ...errorOutcomeDetail(le),
  };
}

/** Reads JSON Lines: each non-final line must hold exactly one strict-JSON value. */
function readJsonLines(
  kind: 'events' | 'receipts',
  file: string,
  bytes: Uint8Array,
  out: Located<JsonValue>[],
  failures: CheckOutcome[],
  signatures: SignatureQueue | undefined,
): void {
  let text: string;
  try {
    text = utf8DecodeStrict(bytes);
  } catch (e) {
    failures.push(parseFailure(file, e));
    return;
  }
  if (text.length > 0 && !text.endsWith('\n')) {
    failures.push(
      parseFailure(
        file,
        new LineageError('capsule.parse', 'the last line does not end with a newline (truncated file?)'),
      ),
    );
  }
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  lines.forEach((line, i) => {
    const where = `${file}:${i + 1}`;
    try {
      // An event becomes its parsed form and hashes right here, so the generic JSON tree of
      // 100k lines never lives at once; a line that is JSON but no valid event stays a value
      // for the engine to report (event.schema) in place.
      if (kind === 'events') {
        const r = readEventText(line, signatures ? { signatures } : {});
        out.push(ReadEvent.is(r) ? { value: null, where, read: r } : { value: r, where });
      } else out.push({ value: parseStrictJson(line), where });
    } catch (e) {
      failures.push(parseFailure(where, e));
    }
  });
}

export function readDocument(
  file: ManifestFile,
  bytes: Uint8Array,
  docs: CapsuleDocuments,
  failures: CheckOutcome[],
  /** Where event signatures are queued as events are read (the engine verifies against it). */
  signatures?: SignatureQueue,
): void {
  if (file.kind === 'events' || file.kind === 'receipts') {
    const out = file.kind === 'events' ? docs.events : docs.receipts;
    readJsonLines(file.kind, file.path, bytes, out, failures, signatures);
    return;
  }
  let value: JsonValue;
  let parsed: ParsedJsonText | undefined;
  try {
    // An attestation is signed over its canonical form minus its signature: note where that is.
    if (file.kind === 'attestation') {
      parsed = parseStrictJsonBytesText(bytes, { member: 'signature' });
      value = parsed.value;
    } else value = parseStrictJsonBytes(bytes);
  } catch (e) {
    failures.push(parseFailure(file.path, e));
    return;
  }
  if (file.kind === 'card') docs.cards.push({ value: utf8DecodeStrict(bytes), where: file.path });
  else if (file.kind === 'attestation')
    docs.attestations.push({ value, where: file.path, ...(parsed ? { parsed } : {}) });
  else if (file.kind === 'openings') {
    if (!Array.isArray(value))
      failures.push(
        parseFailure(
          file.path,
          new LineageError('capsule.parse', 'expected an array of openings', '/', {
            expected: 'an array of openings',
            found: describe(value),
          }),
        ),
      );
    else for (const [i, v] of value.entries()) docs.openings.push({ value: v, where: `${file.path}#/${i}` });
  }
}

export function emptyDocuments(): CapsuleDocuments {
  return { events: [], receipts: [], cards: [], attestations: [], openings: [] };
}

export type { CapsuleManifest };
