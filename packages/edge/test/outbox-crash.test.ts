import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Outbox } from '../src/outbox/index.js';
import { tempDir } from './outbox-helpers.js';

const here = dirname(fileURLToPath(import.meta.url));
const childScript = join(here, 'outbox-crash-child.ts');

interface Append {
  ids: string[];
  done: boolean;
}

/** Runs the child until it has finished `appends` appends (plus a random extra moment), then SIGKILLs it. */
function runAndKill(dbPath: string, appends: number): Promise<Append[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', childScript, dbPath], {
      cwd: join(here, '..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const log: Append[] = [];
    let buffered = '';
    let stderr = '';
    let killing = false;
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        if (line.startsWith('begin ')) log.push({ ids: line.slice(6).split(','), done: false });
        else if (line === 'done') log[log.length - 1]!.done = true;
      }
      const done = log.filter((a) => a.done).length;
      if (!killing && done >= appends) {
        killing = true;
        // A random moment later, so the kill lands anywhere, often in the middle of an append.
        setTimeout(() => child.kill('SIGKILL'), Math.random() * 15);
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`child exited with ${code}: ${stderr}`));
      else resolve(log);
    });
  });
}

let dir: ReturnType<typeof tempDir>;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.remove());

describe('Outbox after SIGKILL', () => {
  it('keeps every append that returned, all of the interrupted one or none of it, in order and without duplicates', async () => {
    const dbPath = join(dir.dir, 'outbox.db');
    const log: Append[] = [];
    // Two lives: the second child reopens the file the first one was killed on.
    for (const appends of [80, 120]) log.push(...(await runAndKill(dbPath, appends)));

    const outbox = Outbox.open(dbPath, { budgetBytes: 1024 * 1024 * 1024 });
    try {
      const stored = outbox.allEventIds();
      const storedSet = new Set(stored);
      expect(storedSet.size).toBe(stored.length);
      const expected: string[] = [];
      for (const append of log) {
        const present = append.ids.filter((id) => storedSet.has(id)).length;
        if (append.done) expect(present).toBe(append.ids.length);
        else expect([0, append.ids.length]).toContain(present);
        if (present > 0) expected.push(...append.ids);
      }
      expect(log.filter((a) => a.done).length).toBeGreaterThanOrEqual(200);
      expect(stored).toEqual(expected);

      // The counters rebuilt from the file agree with the rows, and the rest drains exactly once.
      const stats = outbox.stats();
      expect(stats.pending + stats.delivered).toBe(stored.length);
      const sent: string[] = [];
      for (let batch = outbox.nextBatch({ maxEvents: 500, maxBytes: 1 << 20 }); batch; batch = outbox.nextBatch({ maxEvents: 500, maxBytes: 1 << 20 })) {
        sent.push(...batch.eventIds);
        outbox.complete(batch, [...batch.companions, ...batch.rows].map((r) => r.id));
      }
      expect(sent.length).toBe(stats.pending);
      expect(new Set(sent).size).toBe(sent.length);
      expect(outbox.stats()).toMatchObject({ pending: 0, pendingBytes: 0, pendingSnapshots: 0, delivered: stored.length });
    } finally {
      outbox.close();
    }
  });
});
