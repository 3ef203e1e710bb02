/**
 * Cycle detection over predecessor pointers (iterative DFS, white/grey/black).
 * With SHA-256 event ids a cycle needs a hash preimage, so this is defence in
 * depth — but a verifier must not loop forever on a crafted input either.
 * Returns each cycle found as a path that ends where it starts.
 */
export function findCycles<K>(ids: readonly K[], predecessorsOf: (id: K) => readonly K[]): K[][] {
  // K: event ids, or the engine's resolved nodes (identity lookups, no string hashing).
  const color = new Map<K, 1 | 2>();
  const cycles: K[][] = [];
  for (const start of ids) {
    if (color.has(start)) continue;
    const stack: Array<{ id: K; next: number }> = [{ id: start, next: 0 }];
    const path: K[] = [start];
    color.set(start, 1);
    while (stack.length > 0) {
      const top = stack.at(-1)!;
      const preds = predecessorsOf(top.id);
      if (top.next < preds.length) {
        const p = preds[top.next++]!;
        const c = color.get(p);
        if (c === 1) cycles.push([...path.slice(path.indexOf(p)), p]);
        else if (c === undefined) {
          color.set(p, 1);
          stack.push({ id: p, next: 0 });
          path.push(p);
        }
      } else {
        color.set(top.id, 2);
        stack.pop();
        path.pop();
      }
    }
  }
  return cycles;
}
