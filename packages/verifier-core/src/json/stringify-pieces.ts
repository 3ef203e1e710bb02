/** A JSON.stringify replacer (called with the holder as `this`). */
export type JsonReplacer = (this: unknown, key: string, value: unknown) => unknown;

export interface JsonPiecesOptions {
  replacer?: JsonReplacer;
  /** About how many characters each piece holds (default 1 MiB). */
  chunkSize?: number;
  /** Arrays longer than this are written element by element at any depth (default 64). */
  streamArraysOver?: number;
}

/**
 * Writes `JSON.stringify(value, replacer, 2)` in pieces of about `chunkSize` characters, so the
 * JSON report of a 100k-event capsule (~0.5 GB pretty-printed, near the largest string a JS
 * engine makes) never exists as one string. Joined, the pieces are that exact text. Each piece
 * ends right after a comma between two array elements (or at the end), so a writer that adds a
 * newline per call (a terminal) still writes valid JSON with the same value.
 */
export function stringifyJsonInPieces(
  write: (piece: string) => void,
  value: unknown,
  options: JsonPiecesOptions = {},
): void {
  const replacer = options.replacer;
  const chunkSize = options.chunkSize ?? 1 << 20;
  const over = options.streamArraysOver ?? 64;
  let parts: string[] = [];
  let size = 0;
  const put = (s: string) => {
    parts.push(s);
    size += s.length;
  };
  const flush = () => {
    if (parts.length === 0) return;
    write(parts.join(''));
    parts = [];
    size = 0;
  };

  /** Member `key` of `holder` as JSON.stringify would see it (toJSON, then the replacer). */
  const resolve = (holder: object, key: string): unknown => {
    let v = (holder as Record<string, unknown>)[key];
    if ((typeof v === 'object' && v !== null) || typeof v === 'bigint') {
      const toJSON = (v as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') v = toJSON.call(v, key);
    }
    return replacer ? replacer.call(holder, key, v) : v;
  };

  /** Whether a resolved value is written as a container (what JSON.stringify does with it). */
  const isContainer = (v: unknown): v is object =>
    typeof v === 'object' &&
    v !== null &&
    !(v instanceof Number || v instanceof String || v instanceof Boolean);

  // Containers are opened here down to `depth` 2 and wherever an array is long; anything else
  // is one JSON.stringify call, re-indented (a JSON text has newlines only between tokens).
  const emit = (v: unknown, indent: string, depth: number): void => {
    const long = Array.isArray(v) && v.length > over;
    if (!isContainer(v) || (depth > 2 && !long)) {
      // `v` is already resolved (toJSON and the replacer applied): the replacer must not see it
      // again as the root, only its members.
      let root = true;
      const text = JSON.stringify(
        v,
        replacer
          ? function (this: unknown, key: string, x: unknown) {
              if (root) {
                root = false;
                return x;
              }
              return replacer.call(this, key, x);
            }
          : undefined,
        2,
      );
      put(indent.length > 0 && text.includes('\n') ? text.replaceAll('\n', `\n${indent}`) : text);
      return;
    }
    const inner = `${indent}  `;
    if (Array.isArray(v)) {
      if (v.length === 0) {
        put('[]');
        return;
      }
      put('[');
      for (let i = 0; i < v.length; i++) {
        put(`\n${inner}`);
        const x = resolve(v, String(i));
        // Arrays write null where a member would be omitted (undefined, functions, symbols).
        if (x === undefined || typeof x === 'function' || typeof x === 'symbol') put('null');
        else emit(x, inner, depth + 1);
        if (i < v.length - 1) {
          put(',');
          if (size >= chunkSize) flush();
        }
      }
      put(`\n${indent}]`);
      return;
    }
    let first = true;
    for (const key of Object.keys(v)) {
      const x = resolve(v, key);
      if (x === undefined || typeof x === 'function' || typeof x === 'symbol') continue;
      put(first ? `{\n${inner}` : `,\n${inner}`);
      first = false;
      put(`${JSON.stringify(key)}: `);
      emit(x, inner, depth + 1);
    }
    put(first ? '{}' : `\n${indent}}`);
  };

  const root = resolve({ '': value }, '');
  if (root === undefined || typeof root === 'function' || typeof root === 'symbol') return;
  emit(root, '', 0);
  flush();
}
