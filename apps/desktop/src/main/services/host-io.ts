/**
 * What the services need from the host shell: native dialogs and PDF printing.
 * The Electron adapter (host.main.ts) implements it with dialog/printToPDF; the
 * browser tests implement it with paths the test chooses.
 */
export interface HostIo {
  /** Shows an open-file dialog; resolves to the chosen path or null if cancelled. */
  chooseCapsule(): Promise<string | null>;
  /** Shows a save dialog; resolves to the chosen path or null if cancelled. */
  chooseSavePath(
    suggestedName: string,
    filter: { name: string; extensions: string[] },
  ): Promise<string | null>;
  /** Renders a self-contained, script-free HTML page to PDF. */
  htmlToPdf?(html: string): Promise<Uint8Array>;
}
