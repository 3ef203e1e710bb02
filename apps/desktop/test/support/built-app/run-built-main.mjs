// Starts the BUILT main process (out/main/index.js) under plain Node with the electron stand-in,
// then drives it as the page would, through the IPC handlers it registered. Prints one JSON line.
// argv: capsule.zip trust.json
import { readFileSync } from 'node:fs';
import { register } from 'node:module';

register(new URL('./electron-loader.mjs', import.meta.url));
const [zipPath, trustPath] = process.argv.slice(2);
await import(new URL('../../../out/main/index.js', import.meta.url).href);
const rec = globalThis.__electron;
// whenReady resolved at once; its continuation runs on the next turns.
for (let i = 0; i < 20 && rec.windows.length === 0; i++) await new Promise((r) => setTimeout(r, 10));

const win = rec.windows[0];
const appFrame = { senderFrame: { url: win?.url ?? '', parent: null } };
const call = (method, ...args) => rec.handlers.get(`lineage:${method}`)(appFrame, ...args);

const page = await rec.protocolHandlers.get('app')?.(new Request(win.url));
const html = page ? await page.text() : '';
await call('trustImportStore', readFileSync(trustPath, 'utf8'));
const opened = await call('openCapsuleBytes', 'capsule.zip', new Uint8Array(readFileSync(zipPath)));
const outcome = await call('verify', opened.capsuleId);
let foreignFrame;
try {
  await rec.handlers.get('lineage:trustList')({ senderFrame: { url: 'https://example.com/', parent: null } });
  foreignFrame = 'accepted';
} catch (e) {
  foreignFrame = e.message;
}
process.stdout.write(
  `${JSON.stringify({
    channels: [...rec.handlers.keys()].sort(),
    window: {
      url: win.url,
      preload: win.options.webPreferences.preload,
      sandbox: win.options.webPreferences.sandbox,
    },
    page: { status: page?.status, title: /<title>([^<]*)<\/title>/.exec(html)?.[1] },
    progressEvents: rec.sent.filter((s) => s.channel === 'lineage:event').length,
    verdict: outcome.status === 'done' ? outcome.verification.report.verdict : outcome,
    failed:
      outcome.status === 'done'
        ? outcome.verification.report.checks.filter((c) => c.status === 'fail').map((c) => c.id)
        : [],
    foreignFrame,
  })}\n`,
);
process.exit(0);
