import { Readable } from 'node:stream';
import type { AccessUnit } from './access-unit.js';
import { TsMuxer } from './ts-muxer.js';

/** What a TsTap needs from a feed. */
export interface PictureFeed {
  subscribe(listener: (unit: AccessUnit) => void, options?: { replay?: boolean }): () => void;
  wallClockOf(pts: number): number;
}

/** A reader this far behind is dropped to the next keyframe rather than buffered without end. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

/**
 * A camera feed as MPEG-TS byte streams for ffmpeg consumers (`-f mpegts -copyts -i pipe:0`). Each open() is a
 * fresh stream that starts with PAT/PMT and the last keyframe, and whose PTS are the feed's (so -copyts keeps the
 * feed's timeline). A consumer that falls behind loses whole pictures up to the next keyframe, never parts of one.
 */
export class TsTap {
  constructor(private readonly feed: PictureFeed) {}

  wallClockOf(pts90k: number): number {
    return this.feed.wallClockOf(pts90k);
  }

  open(): Readable {
    const muxer = new TsMuxer();
    let waitingForKeyframe = false;
    const subscription: { unsubscribe?: () => void } = {};
    const stream = new Readable({
      read: () => undefined,
      destroy: (error, callback) => {
        subscription.unsubscribe?.();
        callback(error);
      },
    });
    const deliver = (unit: AccessUnit) => {
      if (stream.destroyed) return;
      if (stream.readableLength > MAX_BUFFERED_BYTES) waitingForKeyframe = true;
      if (waitingForKeyframe && !unit.keyframe) return;
      waitingForKeyframe = false;
      stream.push(muxer.mux(unit));
    };
    subscription.unsubscribe = this.feed.subscribe(deliver, { replay: true });
    return stream;
  }
}
