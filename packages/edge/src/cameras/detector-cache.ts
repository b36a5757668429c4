import { createDetector, modelPackageFromFile, resolveModel, type Detector } from '@sightline/vision';

export interface DetectorCacheOptions {
  workers?: number;
  threadsPerWorker?: number;
}

interface Entry {
  detector: Promise<Detector>;
  users: number;
}

/**
 * One detector (worker pool) per model, shared by every camera that uses it, so cameras share the workers fairly
 * instead of each starting its own; closed when the last camera using it stops.
 */
export class DetectorCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly options: DetectorCacheOptions = {}) {}

  /** Resolves the model without starting it: a config naming an unknown model is refused before any camera stops. */
  async check(model: string): Promise<void> {
    await resolveModel(model);
  }

  async acquire(model: string): Promise<Detector> {
    let entry = this.entries.get(model);
    if (!entry) {
      const detector = resolveModel(model).then((resolved) =>
        createDetector({
          model: modelPackageFromFile(resolved.onnxPath, resolved.manifest),
          workers: this.options.workers,
          threadsPerWorker: this.options.threadsPerWorker,
        }),
      );
      entry = { detector, users: 0 };
      this.entries.set(model, entry);
      detector.catch(() => this.entries.delete(model));
    }
    entry.users++;
    return entry.detector;
  }

  async release(model: string): Promise<void> {
    const entry = this.entries.get(model);
    if (!entry) return;
    entry.users--;
    if (entry.users > 0) return;
    this.entries.delete(model);
    const detector = await entry.detector.catch(() => undefined);
    await detector?.close();
  }

  /** Mean inference ms of a model's detector, for heartbeats. */
  async inferenceMs(model: string): Promise<number> {
    const entry = this.entries.get(model);
    const detector = entry ? await entry.detector.catch(() => undefined) : undefined;
    return detector ? detector.stats().inferenceMs.avg : 0;
  }

  async closeAll(): Promise<void> {
    const all = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(all.map(async (e) => (await e.detector.catch(() => undefined))?.close()));
  }
}
