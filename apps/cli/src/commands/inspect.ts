import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  classifyAgentCard,
  eventId,
  eventLeafHash,
  formatCount,
  formatCountOf,
  IDENTITY_EXTENSION_URI,
  isLineageError,
  type JsonValue,
  LineageError,
  MANIFEST_PATH,
  parseEvent,
  parseManifest,
  parseStrictJson,
  toHex,
} from '@lineage/verifier-core';
import { type CliIo, UsageError } from '../cli-types.js';
import { emitUnusable, parseCommandArgs, readInputText, UnusableInput, withJsonUsage } from '../format.js';
import { fsReason } from '../fs-reason.js';
import { openCapsule } from '../node-capsule-source.js';
import { oneLine } from '../terminal-text.js';
import { register } from './index.js';

/**
 * `lineage inspect`: shows what a capsule, agent card or event *claims*, without verifying
 * it (the output says so). Useful to see ids, leaf hashes and structure before `verify`.
 */
register({
  path: ['inspect'],
  usage: 'lineage inspect CAPSULE|CARD|EVENT [--json]',
  summary:
    'Show what a capsule, agent card or event claims (ids, leaf hashes, steps, identity block) — without verifying it.',
  run: (argv, io) => withJsonUsage(io, 'lineage inspect', argv, () => run(argv, io)),
});

async function run(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { json: { type: 'boolean' } });
  if (positionals.length !== 1) throw new UsageError('expected exactly one CAPSULE, CARD or EVENT file');
  const path = positionals[0]!;
  const json = values.json ?? false;
  // Each line holds values the input claims: a line break inside one would print a line of the
  // input's making under our "NOT VERIFIED" heading, so each is kept to its line.
  const say = (o: Record<string, unknown>, lines: string[]) =>
    io.out(json ? JSON.stringify(o, null, 2) : lines.map(oneLine).join('\n'));
  const abs = resolve(io.cwd, path);
  try {
    let isCapsule = false;
    try {
      // Followed, so a link to a capsule is taken for one and refused as verify refuses it
      // (capsule.symlink), not read as a document that is "not valid UTF-8".
      const st = statSync(abs);
      // A zip by its signature, not its name ("CAPSULE.ZIP", "evidence.bin" are capsules too).
      isCapsule = st.isDirectory() || (st.isFile() && startsLikeZip(abs));
    } catch (e) {
      throw new UnusableInput('input.read', `cannot read "${path}" (${fsReason(e)})`, { file: path });
    }
    if (isCapsule) {
      let cap: Awaited<ReturnType<typeof openCapsule>> | undefined;
      try {
        cap = await openCapsule(abs);
        const files = await cap.source.list();
        let m: ReturnType<typeof parseManifest>;
        try {
          m = parseManifest(await cap.source.read(MANIFEST_PATH, 64 * 1024 * 1024));
        } catch (e) {
          // The error's path is a pointer inside manifest.json: say which file it is in.
          if (isLineageError(e) && e.path !== MANIFEST_PATH)
            throw new LineageError(e.code, e.detail, `${MANIFEST_PATH} ${e.path ?? ''}`.trimEnd());
          throw e;
        }
        say({ kind: 'capsule', verified: false, manifest: m, container: files }, [
          `capsule ${path} — NOT VERIFIED (use "lineage verify")`,
          `  id ${m.capsule_id}, created ${m.created_at}`,
          `  ${m.title}`,
          `  workflow ${m.workflow.name}:`,
          ...m.workflow.steps.map(
            (s) => `    ${s.id.padEnd(3)} ${s.title} (${formatCountOf(s.events.length, 'event')})`,
          ),
          // The manifest's list, which need not be what the container holds (verify checks that).
          `  files the manifest lists (${formatCount(m.files.length)}; the container holds ${formatCountOf(files.length, 'entry', 'entries')}):`,
          ...m.files.map(
            (f) =>
              `    ${f.kind.padEnd(11)} ${f.path} ${formatCountOf(f.size, 'byte')} sha256:${f.sha256.slice(0, 16)}…`,
          ),
        ]);
      } catch (e) {
        if (!isLineageError(e)) throw e;
        // Which capsule, and where in it (an entry, a manifest field) unless it is the capsule itself.
        const field = e.path && e.path !== abs ? e.path : undefined;
        throw new UnusableInput(e.code, `capsule "${path}"${field ? ` ${field}` : ''}: ${e.detail}`, {
          file: path,
          ...(field ? { field } : {}),
        });
      } finally {
        await cap?.close();
      }
      return 0;
    }
    const text = readInputText(io, path, 'document');
    let doc: JsonValue;
    try {
      doc = parseStrictJson(text);
    } catch (e) {
      throw new UnusableInput(
        isLineageError(e) ? e.code : 'json',
        `${path}: ${isLineageError(e) ? e.message : String(e)}`,
        { file: path, ...(isLineageError(e) && e.path ? { field: e.path } : {}) },
      );
    }
    if (doc && typeof doc === 'object' && !Array.isArray(doc) && doc.type === 'lineage.event') {
      let e: ReturnType<typeof parseEvent>;
      try {
        e = parseEvent(doc);
      } catch (x) {
        if (!isLineageError(x)) throw x;
        throw new UnusableInput(x.code, `event "${path}" ${x.message}`, {
          file: path,
          ...(x.path ? { field: x.path } : {}),
        });
      }
      const id = eventId(e);
      const leaf = toHex(eventLeafHash(e));
      say({ kind: 'event', verified: false, event_id: id, leaf_hash: leaf, event: e }, [
        `event ${path} — NOT VERIFIED`,
        `  id         ${id}`,
        `  leaf hash  ${leaf}`,
        `  actor      ${e.actor} (${e.actor_kind}), sequence ${e.sequence}`,
        `  action     ${e.action} at ${e.timestamp}`,
        `  controls   ${e.context.controls.join(', ') || '(none)'}`,
        `  payload    ${e.payload_hash ?? 'none'}`,
        `  builds on  ${e.predecessors.join(', ') || '(root)'}`,
        `  commits    ${e.commitments.map((c) => c.name).join(', ') || '(none)'}`,
      ]);
      return 0;
    }
    const cls = classifyAgentCard(text);
    if (cls.shape !== 'unknown') {
      const caps = cls.card?.capabilities;
      const exts =
        caps && typeof caps === 'object' && !Array.isArray(caps) && Array.isArray(caps.extensions)
          ? caps.extensions
          : [];
      const ext = exts.find(
        (x) => x && typeof x === 'object' && !Array.isArray(x) && x.uri === IDENTITY_EXTENSION_URI,
      );
      const identity = ext && typeof ext === 'object' && !Array.isArray(ext) ? ext.params : undefined;
      say(
        {
          kind: 'card',
          verified: false,
          shape: cls.shape,
          name: cls.card?.name,
          errors: cls.errors,
          warnings: cls.warnings,
          identity,
        },
        [
          `agent card ${path} — NOT VERIFIED (shape ${cls.shape})`,
          `  name   ${String(cls.card?.name ?? '')}`,
          ...(identity
            ? ['  identity block (as claimed):', ...claimLines(identity)]
            : ['  no Lineage identity block']),
          ...cls.errors.map((x) => `  error: ${x}`),
          ...cls.warnings.map((x) => `  warning: ${x}`),
        ],
      );
      return 0;
    }
    throw new UnusableInput('inspect.kind', `${path} is not a capsule, an agent card or a Lineage event`, {
      file: path,
    });
  } catch (e) {
    if (e instanceof UnusableInput)
      return emitUnusable(io, 'lineage inspect', e.code, e.message, json, e.where);
    if (isLineageError(e))
      return emitUnusable(io, 'lineage inspect', e.code, `${path}: ${e.message}`, json, { file: path });
    throw e;
  }
}

/** A claimed JSON object as aligned "field  value" lines, nested fields dotted ("lineage.log_origin"). */
function claimLines(v: unknown): string[] {
  const rows: [string, string][] = [];
  const walk = (x: unknown, at: string) => {
    if (x && typeof x === 'object' && !Array.isArray(x)) {
      for (const [k, y] of Object.entries(x)) walk(y, at ? `${at}.${k}` : k);
    } else rows.push([at || '(value)', typeof x === 'string' ? x : JSON.stringify(x)]);
  };
  walk(v, '');
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, y]) => `    ${k.padEnd(width)}  ${y}`);
}

/** "PK\x03\x04" (a local file header) or "PK\x05\x06" (an empty archive's end record). */
function startsLikeZip(path: string): boolean {
  const head = new Uint8Array(4);
  const fd = openSync(path, 'r');
  try {
    const n = readSync(fd, head, 0, 4, 0);
    return (
      n === 4 &&
      head[0] === 0x50 &&
      head[1] === 0x4b &&
      ((head[2] === 3 && head[3] === 4) || (head[2] === 5 && head[3] === 6))
    );
  } finally {
    closeSync(fd);
  }
}
