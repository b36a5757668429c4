import type { Logger } from 'pino';
import type { CameraConfig, CameraHealth, ConfigApplied, DeviceConfig } from '@sightline/protocol';
import { CameraRunner, type CameraRunnerDeps } from './camera-runner.js';

/**
 * Applies versioned device configs: starts, stops or restarts only the cameras whose config changed, so a change to
 * one camera never interrupts the others. Applies are serialised in arrival order.
 */
export class CameraSupervisor {
  private readonly runners = new Map<string, CameraRunner>();
  private chain: Promise<unknown> = Promise.resolve();
  appliedVersion: number | null = null;

  constructor(
    private readonly deps: CameraRunnerDeps,
    private readonly log: Logger,
  ) {}

  apply(config: DeviceConfig): Promise<ConfigApplied> {
    const run = this.chain.then(() => this.applyNow(config));
    this.chain = run.catch(() => {});
    return run;
  }

  private async applyNow(config: DeviceConfig): Promise<ConfigApplied> {
    const errors: ConfigApplied['errors'] = [];
    const ids = new Set<string>();
    for (const [i, camera] of config.cameras.entries()) {
      if (ids.has(camera.id)) errors.push({ cameraId: camera.id, path: `cameras[${i}].id`, message: 'duplicate camera id' });
      ids.add(camera.id);
    }
    // Unknown models are refused up front; the rest of the config still applies.
    const valid: CameraConfig[] = [];
    for (const [i, camera] of config.cameras.entries()) {
      if (!camera.enabled) continue;
      try {
        await this.deps.detectors.check(camera.model);
        valid.push(camera);
      } catch (err) {
        errors.push({ cameraId: camera.id, path: `cameras[${i}].model`, message: (err as Error).message });
      }
    }
    const wanted = new Map(valid.map((c) => [c.id, c]));

    const stops: Promise<void>[] = [];
    for (const [id, runner] of this.runners) {
      const next = wanted.get(id);
      if (!next || JSON.stringify(next) !== JSON.stringify(runner.config)) {
        this.runners.delete(id);
        stops.push(runner.stop());
        this.log.info({ cameraId: id, reason: next ? 'changed' : 'removed' }, 'camera stopping');
      }
    }
    await Promise.all(stops);
    await this.deps.feeds.retain(new Set(wanted.keys()));
    for (const [id, camera] of wanted) {
      if (this.runners.has(id)) continue;
      // Opened (or reopened for a new source) now, so that live publishing, refreshed right after, finds it.
      this.deps.feeds.acquire(camera);
      const runner = new CameraRunner(camera, this.deps);
      this.runners.set(id, runner);
      runner.start();
      this.log.info({ cameraId: id, source: redactSource(camera.source) }, 'camera starting');
    }
    this.appliedVersion = config.version;
    return { version: config.version, ok: errors.length === 0, errors };
  }

  async health(): Promise<CameraHealth[]> {
    return Promise.all([...this.runners.values()].map((r) => r.health()));
  }

  /** The running pipeline of a camera: the same object for as long as its config is unchanged. */
  runner(cameraId: string): CameraRunner | undefined {
    return this.runners.get(cameraId);
  }

  get cameraIds(): string[] {
    return [...this.runners.keys()];
  }

  async stopAll(): Promise<void> {
    await this.chain;
    const all = [...this.runners.values()];
    this.runners.clear();
    await Promise.all(all.map((r) => r.stop()));
    await this.deps.feeds.stopAll();
  }
}

function redactSource(source: string): string {
  return source.replace(/\/\/([^/@]*)@/, '//***@');
}
