import { describe, expect, it } from 'vitest';
import { requireSharedData } from '../../vision/src/util/shared-data.js';
import { runCli } from './run-cli.js';

describe('sightline detect with the real YOLOX-nano', () => {
  const model = requireSharedData('models/yolox_nano.onnx');
  const image = requireSharedData('images/dog.jpg');

  it('recognises the bare .onnx by sha256 and finds the dog, the bicycle and the car', async () => {
    const r = await runCli(['detect', image, '--model', model, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const line = JSON.parse(r.stdout);
    expect(line).toMatchObject({ width: 768, height: 576 });
    const byClass = Object.fromEntries(line.detections.map((d: { class: string; score: number }) => [d.class, d.score]));
    expect(byClass.dog).toBeCloseTo(0.849, 1);
    expect(byClass.car).toBeCloseTo(0.81, 1);
    expect(byClass.bicycle).toBeCloseTo(0.805, 1);
  });

  it('applies per-class thresholds and refuses a class the model does not have', async () => {
    const r = await runCli(['detect', image, '--model', model, '--json', '--class-threshold', 'car=0.95']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).detections.map((d: { class: string }) => d.class).sort()).toEqual(['bicycle', 'dog']);
    const bad = await runCli(['detect', image, '--model', model, '--class-threshold', 'unicorn=0.5']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/no class "unicorn"/);
  });
});
