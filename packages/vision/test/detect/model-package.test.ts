import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ModelError } from '../../src/detect/errors.js';
import { inputSpecFromManifest } from '../../src/detect/input-spec.js';
import { loadModelPackage, modelPackageFromFile } from '../../src/detect/model-package.js';
import { loadSession } from '../../src/detect/session.js';
import { writeTinyDetectorPackage } from '../../src/detect/testing/index.js';
import { catalogDir } from './catalog-dir.js';

const tmp = mkdtempSync(join(tmpdir(), 'sightline-pkg-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const tiny = writeTinyDetectorPackage(join(tmp, 'tiny'));

function catchModelError(fn: () => unknown): ModelError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ModelError);
    return err as ModelError;
  }
  throw new Error('expected a ModelError');
}

describe('model packages', () => {
  it('loads a package directory and derives the frame request', () => {
    const pkg = loadModelPackage(tiny.dir);
    expect(pkg.modelPath).toBe(join(tiny.dir, 'model.onnx'));
    expect(inputSpecFromManifest(pkg.manifest)).toEqual({
      width: 256, height: 256, resize: 'letterbox', align: 'top-left', padValue: 114, pixelFormat: 'rgb24',
    });
  });

  it('names the bad fields of an invalid manifest', () => {
    const dir = join(tmp, 'bad');
    mkdirSync(dir);
    const manifest = JSON.parse(readFileSync(join(tiny.dir, 'model.json'), 'utf8'));
    writeFileSync(join(dir, 'model.json'), JSON.stringify({ ...manifest, family: 'ssd', input: { ...manifest.input, width: -1 } }));
    const err = catchModelError(() => loadModelPackage(dir));
    expect(err.code).toBe('manifest-invalid');
    expect(err.message).toMatch(/family/);
    expect(err.message).toMatch(/input\.width/);
  });

  it('says what is missing', () => {
    expect(catchModelError(() => loadModelPackage(join(tmp, 'nowhere'))).code).toBe('manifest-not-found');
    const err = catchModelError(() => modelPackageFromFile(join(tmp, 'none.onnx'), tiny.manifest));
    expect(err.code).toBe('model-file-missing');
    const unknownClass = catchModelError(() => modelPackageFromFile(tiny.modelPath, { ...tiny.manifest, classThresholds: { cat: 0.5 } }));
    expect(unknownClass.message).toMatch(/classThresholds\.cat: unknown class "cat"/);
  });

  it('checks the session input name and the output shape against the family at load time', async () => {
    const opts = { intraOpThreads: 1, executionProviders: ['cpu' as const] };
    await expect(loadSession(tiny.modelPath, { ...tiny.manifest, input: { ...tiny.manifest.input, name: 'pixels' } }, opts)).rejects.toMatchObject({
      code: 'input-mismatch',
      message: expect.stringMatching(/no input "pixels".*images/),
    });
    await expect(loadSession(tiny.modelPath, { ...tiny.manifest, input: { ...tiny.manifest.input, width: 320 } }, opts)).rejects.toMatchObject({
      code: 'input-mismatch',
    });
    await expect(loadSession(tiny.modelPath, { ...tiny.manifest, labels: ['person', 'car'] }, opts)).rejects.toMatchObject({
      code: 'output-mismatch',
      message: expect.stringMatching(/5 \+ 2 labels/),
    });
    await expect(loadSession(tiny.modelPath, { ...tiny.manifest, family: 'fastestdet' }, opts)).rejects.toMatchObject({
      code: 'output-mismatch',
      message: expect.stringMatching(/rank 4/),
    });
    const ok = await loadSession(tiny.modelPath, tiny.manifest, opts);
    expect(ok.inputName).toBe('images');
    expect(ok.outputName).toBe('output');
    await ok.session.release();
  });

  it('ships valid catalogue manifests for the three test models', () => {
    for (const name of ['yolox-nano', 'fastestdet', 'yolov8n-int8-agpl']) {
      const pkg = modelPackageFromFile(tiny.modelPath, JSON.parse(readFileSync(join(catalogDir, `${name}.json`), 'utf8')));
      expect(pkg.manifest.name).toBe(name);
      expect(pkg.manifest.labels).toHaveLength(80);
      expect(pkg.manifest.labels[0]).toBe('person');
    }
  });
});
