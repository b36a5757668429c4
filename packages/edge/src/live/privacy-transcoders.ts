import type { Logger } from 'pino';
import { PrivacyTranscoder, type CameraFeed } from '@sightline/media';
import type { CameraConfig } from '@sightline/protocol';
import type { Detector } from '@sightline/vision';
import { FaceFinder } from './face-finder.js';
import type { PrivacyRegions } from './privacy-regions.js';

export interface PrivacyTranscodersOptions {
  log: Logger;
  feedOf: (cameraId: string) => CameraFeed | undefined;
  privacyRegionsOf: (cameraId: string) => PrivacyRegions | undefined;
  faceDetectors?: { acquire(model: string): Promise<Detector>; release(model: string): Promise<void> };
  bitrateKbps?: number;
  gopSeconds?: number;
}

interface Entry {
  key: string;
  transcoder: PrivacyTranscoder;
  users: number;
  faceModel: string | undefined;
}

/** Whether a camera's pictures must be processed before they may leave the edge. */
export const hasPrivacy = (camera: CameraConfig) => (camera.privacy?.masks.length ?? 0) > 0 || (camera.privacy?.blur ?? 'none') !== 'none';

const keyOf = (camera: CameraConfig) => JSON.stringify([camera.source, camera.privacy ?? null]);

/**
 * One PrivacyTranscoder per camera, shared by everything that sends its picture away (live video and recordings),
 * so the camera is decoded, masked, pixelated and encoded once however many want it. It stops when its last user
 * releases it; a changed privacy config gives new users a new transcoder.
 */
export class PrivacyTranscoders {
  /** The current transcoder of each camera. */
  private readonly entries = new Map<string, Entry>();
  /** Every transcoder handed out and not yet stopped, so a release finds its own even after a config change. */
  private readonly handedOut = new Map<PrivacyTranscoder, Entry>();

  constructor(private readonly options: PrivacyTranscodersOptions) {}

  async acquire(camera: CameraConfig): Promise<PrivacyTranscoder> {
    const key = keyOf(camera);
    const current = this.entries.get(camera.id);
    if (current && current.key === key) {
      current.users++;
      return current.transcoder;
    }
    const feed = this.options.feedOf(camera.id);
    if (!feed) throw new Error(`camera ${camera.id} is not running on this edge`);
    const blur = camera.privacy?.blur ?? 'none';
    const regions = blur !== 'none' ? this.options.privacyRegionsOf(camera.id) : undefined;
    const faceModel = blur === 'faces' ? (camera.privacy?.faceModel ?? 'yunet-s-320') : undefined;
    const finder = faceModel && regions ? await this.faceFinder(camera.id, faceModel, regions) : undefined;
    const transcoder = new PrivacyTranscoder({
      feed,
      masks: (camera.privacy?.masks ?? []).map((m) => m.polygon),
      // Without regions (or a face model) for a blurring camera, every picture is pixelated: privacy fails closed.
      pixelate:
        blur === 'none'
          ? undefined
          : (picture) => {
              finder?.observe(picture);
              return regions?.regionsFor(picture.pts, picture.width, picture.height) ?? 'everything';
            },
      bitrateKbps: this.options.bitrateKbps ?? 1500,
      gopSeconds: this.options.gopSeconds ?? 1,
      log: this.options.log,
    });
    transcoder.start();
    // A previous transcoder for an older config stays with its users until they release it.
    if (current) this.entries.delete(camera.id);
    const entry: Entry = { key, transcoder, users: 1, faceModel: finder ? faceModel : undefined };
    this.entries.set(camera.id, entry);
    this.handedOut.set(transcoder, entry);
    return transcoder;
  }

  async release(transcoder: PrivacyTranscoder): Promise<void> {
    const entry = this.handedOut.get(transcoder);
    if (!entry) return;
    entry.users--;
    if (entry.users > 0) return;
    this.handedOut.delete(transcoder);
    for (const [id, e] of this.entries) if (e === entry) this.entries.delete(id);
    await transcoder.stop();
    if (entry.faceModel) await this.options.faceDetectors?.release(entry.faceModel);
  }

  private async faceFinder(cameraId: string, model: string, regions: PrivacyRegions): Promise<FaceFinder | undefined> {
    if (!this.options.faceDetectors) return undefined;
    try {
      return new FaceFinder(cameraId, await this.options.faceDetectors.acquire(model), regions);
    } catch (err) {
      this.options.log.warn({ cameraId, model, err: (err as Error).message }, 'privacy: the face model cannot be loaded; every picture is pixelated');
      return undefined;
    }
  }
}
