// What the ≤ 1.3× target leaves for checking: the least any verifier of a capsule must do besides
// Ed25519, measured in a child process with bare Node and nothing of ours — inflate events.jsonl,
// JSON.parse each line, SHA-256 its unsigned form (the event id) and its leaf, build its signing
// input, and rebuild the tree root from the leaves. No schema, key, chain or proof checks, no
// report. Its CPU against the floor's bounds the ratio any design can reach on this machine.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';

const CHILD = `import { readFileSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';
import { hash } from 'node:crypto';
const deflated = readFileSync(process.argv[2]);
const cpu0 = process.cpuUsage();
const text = inflateRawSync(deflated).toString('utf8');
const lines = text.split('\\n');
lines.pop();
const enc = new TextEncoder();
const leaves = [];
let checksum = 0;
for (const line of lines) {
  const event = JSON.parse(line);
  // A canonical event's signature object holds only strings: its member ends at the next '}'.
  const at = line.indexOf(',"signature":');
  const unsigned = line.slice(0, at) + line.slice(line.indexOf('}', at) + 1);
  const input = enc.encode('lineage/event/v1\\n' + unsigned);
  hash('sha256', input.subarray(17), 'hex');
  leaves.push(hash('sha256', Buffer.concat([Buffer.of(0), Buffer.from(line, 'utf8')]), 'buffer'));
  checksum += event.sequence + input.length;
}
let level = leaves;
while (level.length > 1) {
  const next = [];
  for (let i = 0; i + 1 < level.length; i += 2) next.push(hash('sha256', Buffer.concat([Buffer.of(1), level[i], level[i + 1]]), 'buffer'));
  if (level.length % 2 === 1) next.push(level[level.length - 1]);
  level = next;
}
const cpu = process.cpuUsage(cpu0);
process.stdout.write(JSON.stringify({ cpuMs: (cpu.user + cpu.system) / 1000, events: lines.length, checksum }));
`;

/** CPU (all threads, ms) of the least work on `eventsJsonl`; best of 3 runs. */
export async function leastWorkCpu(eventsJsonl: Uint8Array, dir: string): Promise<number> {
  const data = join(dir, 'events.jsonl.deflate');
  const script = join(dir, 'least-work.mjs');
  writeFileSync(data, deflateRawSync(eventsJsonl));
  writeFileSync(script, CHILD);
  const runs: number[] = [];
  for (let r = 0; r < 3; r++) {
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, [script, data], { stdio: ['ignore', 'pipe', 'inherit'] });
      let s = '';
      child.stdout.on('data', (d) => {
        s += String(d);
      });
      child.on('error', reject);
      child.on('exit', (code) =>
        code === 0 ? resolve(s) : reject(new Error(`least-work child exited ${code}`)),
      );
    });
    runs.push((JSON.parse(out) as { cpuMs: number }).cpuMs);
  }
  return Math.min(...runs);
}
