/**
 * A button that opens the file chooser. A <label> around a hidden input looks like a button but
 * is not one: Tab skips it and Enter does nothing, so a keyboard could never load a trust store
 * or an approval. The button is focusable and clicks the hidden input itself.
 */
import { useRef } from 'react';

export function FileButton({
  label,
  accept,
  disabled = false,
  small = false,
  testId,
  onFile,
}: {
  label: string;
  accept?: string;
  disabled?: boolean;
  small?: boolean;
  /** On the input, where tests hand it a file. */
  testId: string;
  onFile: (f: File) => void | Promise<void>;
}) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <button
        type="button"
        className={`btn${small ? ' btn-small' : ''}`}
        disabled={disabled}
        onClick={() => input.current?.click()}
      >
        {label}
      </button>
      <input
        ref={input}
        type="file"
        hidden
        disabled={disabled}
        data-testid={testId}
        {...(accept ? { accept } : {})}
        onChange={(e) => {
          const f = e.target.files?.[0];
          // Cleared first, so choosing the same file again reads it again.
          e.target.value = '';
          if (f) void onFile(f);
        }}
      />
    </>
  );
}
