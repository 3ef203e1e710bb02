/** An inclusion proof as a readable path: leaf, each sibling with the side it is hashed on, root. */
import { DataText } from '../data-text.js';
import { auditPathSides } from '../proof-view.js';

export interface AuditPathProps {
  leafHashHex: string;
  index: string;
  treeSize: string;
  path: readonly string[];
  rootHex: string;
}

export function AuditPath({ leafHashHex, index, treeSize, path, rootHex }: AuditPathProps) {
  const i = Number(index);
  const n = Number(treeSize);
  const sides =
    Number.isSafeInteger(i) && Number.isSafeInteger(n) && i < n
      ? auditPathSides(i, n, path.length)
      : path.map(() => 'right' as const);
  return (
    <ol className="lin-audit-path" aria-label="Audit path, leaf to root" data-testid="audit-path">
      <li className="lin-audit-leaf">
        <span className="lin-label">leaf {index}</span> <DataText value={leafHashHex} max={40} />
      </li>
      {path.map((h, k) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: path order is the identity
        <li key={k}>
          <span className="lin-label">{sides[k] === 'left' ? '◀ left' : 'right ▶'}</span>{' '}
          <DataText value={h} max={40} />
        </li>
      ))}
      <li className="lin-audit-root">
        <span className="lin-label">root ({treeSize} leaves)</span> <DataText value={rootHex} max={40} />
      </li>
    </ol>
  );
}
