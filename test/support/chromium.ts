// The Debian Chromium every browser test drives (core, desktop, extension), and the flags every run needs on these machines
// (no sandbox in containers, no GPU, nothing that reaches the network on its own).
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
