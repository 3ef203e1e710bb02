// Synchronous writes to the process's stdout/stderr file descriptors, for the CLI's worker
// thread: a worker's process.stdout is a stream forwarded to the main thread, and a report
// written in pieces without yielding would pile up in the worker's memory until the end.
import { writeSync } from 'node:fs';

const pause = new Int32Array(new SharedArrayBuffer(4));

/** Writes all of `text` to `fd`; waits out EAGAIN (a non-blocking pipe that is full). */
export function writeFdSync(fd: number, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += writeSync(fd, bytes, offset);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      Atomics.wait(pause, 0, 0, 2);
    }
  }
}
