/** Expected vs found, side by side, both as data. */
import { DataText } from './data-text.js';

export function ExpectedFound({ expected, found }: { expected?: string; found?: string }) {
  return (
    <dl className="lin-ef">
      <div className="lin-ef-col lin-ef-expected">
        <dt>Expected</dt>
        <dd>
          <DataText value={expected} wrap />
        </dd>
      </div>
      <div className="lin-ef-col lin-ef-found">
        <dt>Found</dt>
        <dd>
          <DataText value={found} wrap />
        </dd>
      </div>
    </dl>
  );
}
