import type { RawPicture } from '@sightline/media';
import type { Detector } from '@sightline/vision';
import { i420ToDetectorFrame } from './i420-frame.js';
import type { PrivacyRegions } from './privacy-regions.js';

/**
 * Finds faces on the pictures that are about to leave the edge, for cameras that pixelate faces: it runs the face
 * detector on the newest picture whenever the previous run has finished (at most every `intervalMs`), at full
 * resolution rather than on the analysis frames, which are shrunk for the camera's own model. Results go to the
 * camera's PrivacyRegions, which fails closed while none is fresh.
 */
export class FaceFinder {
  private busy = false;
  private lastStartedAt = 0;
  failures = 0;

  constructor(
    private readonly cameraId: string,
    private readonly detector: Detector,
    private readonly regions: PrivacyRegions,
    private readonly intervalMs = 100,
  ) {}

  observe(picture: RawPicture): void {
    const now = performance.now();
    if (this.busy || now - this.lastStartedAt < this.intervalMs) return;
    this.busy = true;
    this.lastStartedAt = now;
    const frame = i420ToDetectorFrame(picture, this.detector.inputSpec, this.detector.inputSpec.pixelFormat);
    this.detector
      .detect(frame, `privacy:${this.cameraId}`)
      .then((detections) => this.regions.record(picture.pts, detections))
      .catch(() => this.failures++)
      .finally(() => (this.busy = false));
  }
}
