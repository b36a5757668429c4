import { Session } from 'node:inspector/promises';
import { writeFile } from 'node:fs/promises';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  file: string;
  /** Share of the samples in which the hub was not idle. */
  busyShare: number;
  /** Shares of the busy samples, by where the code comes from. */
  categories: { name: string; share: number }[];
  /** The functions with the most self time. */
  functions: { name: string; share: number }[];
}

/** Samples the hub process's own CPU (this process: hub, embedded broker and HTTP API; not the load generator). */
export class CpuProfiler {
  private readonly session = new Session();

  async start(): Promise<void> {
    this.session.connect();
    await this.session.post('Profiler.enable');
    await this.session.post('Profiler.setSamplingInterval', { interval: 500 });
    await this.session.post('Profiler.start');
  }

  async stop(file: string): Promise<ProfileSummary> {
    const { profile } = (await this.session.post('Profiler.stop')) as unknown as { profile: Profile };
    this.session.disconnect();
    await writeFile(file, JSON.stringify(profile));
    return summarize(profile, file);
  }
}

function summarize(profile: Profile, file: string): ProfileSummary {
  const all = profile.nodes.reduce((sum, n) => sum + (n.hitCount ?? 0), 0) || 1;
  const idle = profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').reduce((sum, n) => sum + (n.hitCount ?? 0), 0);
  const total = all - idle || 1;
  const byCategory = new Map<string, number>();
  const byFunction = new Map<string, number>();
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    const { functionName, url, lineNumber } = node.callFrame;
    if (hits === 0 || functionName === '(idle)') continue;
    const category = categoryOf(functionName, url);
    byCategory.set(category, (byCategory.get(category) ?? 0) + hits);
    const where = url ? `${shortUrl(url)}:${lineNumber + 1}` : 'native';
    const name = `${functionName || '(anonymous)'} ${where}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + hits);
  }
  const top = (map: Map<string, number>, n: number) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, hits]) => ({ name, share: hits / total }));
  return { file, busyShare: total / all, categories: top(byCategory, 20), functions: top(byFunction, 25) };
}

const PACKAGE_CATEGORIES: [RegExp, string][] = [
  [/\/node_modules\/zod\//, 'zod validation'],
  [/\/node_modules\/better-sqlite3\//, 'better-sqlite3 (JS side)'],
  [/\/node_modules\/(aedes|aedes-[^/]+|mqemitter|fastparallel|fastfall|fastseries|retimer|hyperid|reusify)\//, 'aedes broker'],
  [/\/node_modules\/(mqtt|mqtt-packet|bl|commist|number-allocator)\//, 'mqtt.js client / packets'],
  [/\/node_modules\/(fastify|@fastify\/[^/]+|find-my-way|avvio|fast-json-stringify|light-my-request|fast-querystring|fast-uri|ajv[^/]*)\//, 'fastify HTTP'],
  [/\/node_modules\/(pg|pg-[^/]+)\//, 'pg client'],
  [/\/node_modules\/kysely\//, 'kysely'],
  [/\/node_modules\/(pino|pino-[^/]+|sonic-boom|thread-stream)\//, 'pino logging'],
  [/\/node_modules\/(prom-client|tdigest|bintrees)\//, 'prom-client metrics'],
  [/\/node_modules\/(ws)\//, 'ws'],
  [/\/node_modules\/(undici|tsx|esbuild|get-tsconfig)\//, 'loader / undici'],
  [/\/packages\/hub\/src\/ingest\//, 'hub ingest code (incl. inlined JSON.parse/stringify)'],
  [/\/packages\/hub\/src\/store\//, 'hub store code (incl. inlined JSON.stringify)'],
  [/\/packages\/hub\/src\/broker\//, 'hub broker / link code'],
  [/\/packages\/hub\/src\//, 'hub other code'],
  [/\/packages\/protocol\//, 'protocol package'],
];

function categoryOf(functionName: string, url: string): string {
  if (functionName === '(garbage collector)') return '(garbage collector)';
  if (functionName === '(program)') return '(program: V8/native not attributed)';
  if (!url) return `native: ${functionName || '(anonymous)'}`;
  for (const [pattern, name] of PACKAGE_CATEGORIES) if (pattern.test(url)) return name;
  if (url.startsWith('node:')) return 'node internals (net, streams, timers)';
  return 'other';
}

function shortUrl(url: string): string {
  const i = url.lastIndexOf('/node_modules/');
  if (i >= 0) return url.slice(i + '/node_modules/'.length);
  const p = url.indexOf('/packages/');
  return p >= 0 ? url.slice(p + 1) : url;
}
