import type { Logger } from 'pino';
import { CameraFeed } from '@sightline/media';
import type { CameraConfig } from '@sightline/protocol';

/**
 * Each camera opened once, for everything the edge does with it: analysis, live publishing and recording all read
 * its feed. A feed outlives config changes that keep the camera's source (new zones, a new model, privacy settings),
 * so such a change never reconnects to the camera.
 */
export class CameraFeeds {
  private readonly feeds = new Map<string, { source: string; feed: CameraFeed }>();

  constructor(private readonly log: Logger) {}

  /** The camera's running feed, opened (or reopened, when its source changed) as needed. */
  acquire(camera: CameraConfig): CameraFeed {
    const current = this.feeds.get(camera.id);
    if (current && current.source === camera.source && current.feed.state !== 'stopped') return current.feed;
    if (current) void current.feed.stop();
    const feed = new CameraFeed({ source: camera.source, log: this.log });
    this.feeds.set(camera.id, { source: camera.source, feed });
    feed.start();
    return feed;
  }

  get(cameraId: string): CameraFeed | undefined {
    return this.feeds.get(cameraId)?.feed;
  }

  /** Close the feeds of cameras that are no longer run. */
  async retain(cameraIds: ReadonlySet<string>): Promise<void> {
    const gone = [...this.feeds].filter(([id]) => !cameraIds.has(id));
    for (const [id] of gone) this.feeds.delete(id);
    await Promise.all(gone.map(([, { feed }]) => feed.stop()));
  }

  async stopAll(): Promise<void> {
    await this.retain(new Set());
  }
}
