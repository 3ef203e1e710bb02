/** A key fingerprint in groups of four hex digits, numbered, to read aloud and compare. */
export function Fingerprint({ groups, label }: { groups: readonly string[]; label?: string }) {
  return (
    <span className="lin-fp" title={label ?? 'SHA-256 key fingerprint'}>
      {groups.map((g, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: groups are positional
        <span key={i} className="lin-fp-group">
          {g}
        </span>
      ))}
    </span>
  );
}
