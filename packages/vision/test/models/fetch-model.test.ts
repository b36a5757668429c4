import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelManifestSchema, type ModelManifest } from '@sightline/protocol';
import { fetchModel, resolveModel, ModelResolveError, type DownloadProgress } from '../../src/models/index.js';

const payload = Buffer.alloc(256 * 1024, 7);
const payloadSha = createHash('sha256').update(payload).digest('hex');

let server: Server;
let base: string;
let work: string;

function manifest(overrides: Partial<ModelManifest> = {}): ModelManifest {
  return ModelManifestSchema.parse({
    name: 'tiny-test',
    family: 'yolox',
    file: 'tiny.onnx',
    sha256: payloadSha,
    input: { name: 'images', width: 32, height: 32, channelOrder: 'bgr', resize: 'letterbox' },
    labels: ['person'],
    url: 'http://127.0.0.1:1/never',
    ...overrides,
  });
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'sightline-models-'));
  server = createServer((req, res) => {
    if (req.url === '/model.onnx') {
      res.writeHead(200, { 'content-length': String(payload.length) });
      // Two chunks, so progress is reported more than once.
      res.write(payload.subarray(0, payload.length / 2));
      setTimeout(() => res.end(payload.subarray(payload.length / 2)), 20);
    } else if (req.url === '/corrupt.onnx') {
      res.end(Buffer.alloc(1000, 1));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('no address');
  base = `http://127.0.0.1:${addr.port}`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  await rm(work, { recursive: true, force: true });
});

describe('fetchModel', () => {
  it('downloads into the cache, verifies sha256, reports progress and writes a package', async () => {
    const progress: DownloadProgress[] = [];
    const cacheDir = join(work, 'cache1');
    const dir = await fetchModel(manifest(), { cacheDir, url: `${base}/model.onnx`, onProgress: (p) => progress.push(p) });
    expect(dir).toBe(join(cacheDir, 'tiny-test'));
    expect(await readFile(join(dir, 'tiny.onnx'))).toEqual(payload);
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress.at(-1)).toEqual({ receivedBytes: payload.length, totalBytes: payload.length });
    const resolved = await resolveModel('tiny-test', { cacheDir, catalogDir: await catalogWith(manifest()) });
    expect(resolved.origin).toBe('cache');
    expect(resolved.manifest.sha256).toBe(payloadSha);
  });

  it('discards a download whose sha256 does not match', async () => {
    const cacheDir = join(work, 'cache2');
    const err = await fetchModel(manifest(), { cacheDir, url: `${base}/corrupt.onnx` }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelResolveError);
    expect((err as ModelResolveError).code).toBe('checksum-mismatch');
    expect(existsSync(join(cacheDir, 'tiny-test', 'tiny.onnx'))).toBe(false);
    expect(existsSync(join(cacheDir, 'tiny-test', 'tiny.onnx.part'))).toBe(false);
  });

  it('gives a clear offline error that names --model', async () => {
    const err = await fetchModel(manifest(), { cacheDir: join(work, 'cache3'), url: 'http://127.0.0.1:1/model.onnx' }).catch((e: unknown) => e);
    expect((err as ModelResolveError).code).toBe('download-failed');
    expect((err as Error).message).toMatch(/--model/);
    expect((err as Error).message).toMatch(/offline/);
  });

  it('reports HTTP errors', async () => {
    const err = await fetchModel(manifest(), { cacheDir: join(work, 'cache4'), url: `${base}/missing` }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/HTTP 404/);
  });
});

describe('resolveModel', () => {
  it('recognises a bare catalogued .onnx by its sha256', async () => {
    const dir = join(work, 'bare');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'whatever.onnx'), payload);
    const r = await resolveModel(join(dir, 'whatever.onnx'), { catalogDir: await catalogWith(manifest()) });
    expect(r.origin).toBe('onnx-file');
    expect(r.manifest.name).toBe('tiny-test');
    expect(r.onnxPath).toBe(join(dir, 'whatever.onnx'));
  });

  it('refuses an unknown .onnx and says how to describe it', async () => {
    const dir = join(work, 'unknown');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'x.onnx'), Buffer.from('not a catalogued model'));
    await expect(resolveModel(join(dir, 'x.onnx'), { catalogDir: await catalogWith(manifest()) })).rejects.toThrow(/model\.json/);
  });

  it('loads a package directory and names the bad manifest field', async () => {
    const dir = join(work, 'pkg');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'tiny.onnx'), payload);
    await writeFile(join(dir, 'model.json'), JSON.stringify({ ...manifest(), input: { ...manifest().input, channelOrder: 'grb' } }));
    await expect(resolveModel(dir)).rejects.toThrow(/input\.channelOrder/);
    await writeFile(join(dir, 'model.json'), JSON.stringify(manifest()));
    expect((await resolveModel(dir)).origin).toBe('package');
  });

  it('tells how to install a catalogue model that is not downloaded', async () => {
    const err = await resolveModel('tiny-test', { cacheDir: join(work, 'empty'), catalogDir: await catalogWith(manifest()) }).catch((e: unknown) => e);
    expect((err as ModelResolveError).code).toBe('not-installed');
    expect((err as Error).message).toMatch(/sightline models fetch tiny-test/);
  });

  it('lists the known names for an unknown one', async () => {
    await expect(resolveModel('no-such-model', { catalogDir: await catalogWith(manifest()) })).rejects.toThrow(/known: tiny-test/);
  });
});

async function catalogWith(m: ModelManifest): Promise<string> {
  const dir = join(work, `catalog-${m.name}`);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, `${m.name}.json`), JSON.stringify(m));
  return dir;
}
