import { LineageError } from '@lineage/verifier-core';

type ErrorClass<E extends Error> = abstract new (...args: never[]) => E;

/**
 * Runs `f` and returns the error it throws, failing the test unless it is an instance
 * of `cls` (LineageError by default) — so assertions can look at `code` and `path`.
 */
export function errorOf<E extends Error = LineageError>(
  f: () => unknown,
  cls: ErrorClass<E> = LineageError as unknown as ErrorClass<E>,
): E {
  try {
    f();
  } catch (e) {
    if (e instanceof cls) return e;
    throw new Error(`expected a ${cls.name}, got ${String(e)}`);
  }
  throw new Error(`expected a ${cls.name}, nothing was thrown`);
}
