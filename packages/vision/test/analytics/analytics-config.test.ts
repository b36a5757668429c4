import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '@sightline/protocol';
import { AnalyticsConfigError, loadAnalyticsConfig, parseAnalyticsConfig } from '../../src/analytics/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sightline-analytics-config-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, text: string): Promise<string> {
  const p = join(dir, name);
  await writeFile(p, text);
  return p;
}

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return (e as Error).message;
  }
  throw new Error('expected a ValidationError');
}

describe('loadAnalyticsConfig', () => {
  it('reads YAML and fills in filter defaults', async () => {
    const p = await file(
      'site.yaml',
      [
        'zones:',
        '  - id: loading-bay',
        '    polygon: [[0.1, 0.1], [0.5, 0.1], [0.5, 0.6]]',
        '    loiterSeconds: 30',
        '    filter: { classes: [person], minConfidence: 0.4 }',
        'lines:',
        '  - id: gate',
        '    a: [0, 0.5]',
        '    b: [1, 0.5]',
        '    invert: true',
      ].join('\n'),
    );
    const config = await loadAnalyticsConfig(p);
    expect(config.zones[0]).toMatchObject({ id: 'loading-bay', loiterSeconds: 30, filter: { classes: ['person'], minConfidence: 0.4, minArea: 0, anchor: 'bottom-center' } });
    expect(config.lines[0]).toMatchObject({ id: 'gate', invert: true, filter: { anchor: 'bottom-center' } });
  });

  it('reads JSON, and an empty file means the whole-frame default', async () => {
    const json = await file('c.json', JSON.stringify({ lines: [{ id: 'l', a: [0, 0], b: [1, 1] }] }));
    expect((await loadAnalyticsConfig(json)).lines).toHaveLength(1);
    expect(await loadAnalyticsConfig(await file('empty.yml', ''))).toEqual({ zones: [], lines: [] });
  });

  it('names the field of a bad config', async () => {
    const p = await file('bad.yaml', 'zones:\n  - id: z\n    polygon: [[0.1, 0.1], [0.2, 0.2]]\n');
    await expect(loadAnalyticsConfig(p)).rejects.toThrow('zones[0].polygon: a zone needs at least 3 points');
    await expect(loadAnalyticsConfig(p)).rejects.toBeInstanceOf(ValidationError);
  });

  it('reports unreadable files and syntax errors with the path', async () => {
    const missing = join(dir, 'nope.yaml');
    await expect(loadAnalyticsConfig(missing)).rejects.toThrow(AnalyticsConfigError);
    await expect(loadAnalyticsConfig(missing)).rejects.toThrow(missing);
    const broken = await file('broken.yaml', 'zones: [\n  - id: x\n');
    await expect(loadAnalyticsConfig(broken)).rejects.toThrow(/not valid YAML/);
    const brokenJson = await file('broken.json', '{ "zones": ');
    await expect(loadAnalyticsConfig(brokenJson)).rejects.toThrow(/not valid JSON/);
  });
});

describe('parseAnalyticsConfig', () => {
  it('says coordinates are normalized when pixel values appear', () => {
    const message = messageOf(() => parseAnalyticsConfig({ zones: [{ id: 'z', polygon: [[10, 10], [0.5, 0.1], [0.5, 0.5]] }], lines: [{ id: 'l', a: [0, 0], b: [640, 0.5] }] }));
    expect(message).toContain('zones[0].polygon[0][0]: coordinates are normalized 0-1 (got 10)');
    expect(message).toContain('lines[0].b[0]: coordinates are normalized 0-1 (got 640)');
    expect(messageOf(() => parseAnalyticsConfig({ lines: [{ id: 'l', a: [-0.1, 0], b: [1, 1] }] }))).toContain('lines[0].a[0]: coordinates are normalized 0-1 (got -0.1)');
  });

  it('rejects duplicate ids, unknown keys, bad ids and degenerate lines, naming each field', () => {
    expect(messageOf(() => parseAnalyticsConfig({ zones: [{ id: 'x', polygon: [[0, 0], [1, 0], [1, 1]] }], lines: [{ id: 'x', a: [0, 0], b: [1, 1] }] }))).toContain(
      'lines[0].id: duplicate id "x"',
    );
    expect(messageOf(() => parseAnalyticsConfig({ zone: [] }))).toContain('Unrecognized key: "zone"');
    expect(messageOf(() => parseAnalyticsConfig({ zones: [{ id: 'has space', polygon: [[0, 0], [1, 0], [1, 1]] }] }))).toContain('zones[0].id');
    expect(messageOf(() => parseAnalyticsConfig({ lines: [{ id: 'l', a: [0.5, 0.5], b: [0.5, 0.5] }] }))).toContain('lines[0].b: a line needs two distinct points');
    expect(messageOf(() => parseAnalyticsConfig({ zones: [{ id: 'z', polygon: [[0, 0], [1, 0], [1, 1]], filter: { anchor: 'feet' } }] }))).toContain('zones[0].filter.anchor');
  });
});
