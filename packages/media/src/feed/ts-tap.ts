import { Readable } from 'node:stream';
import type { AccessUnit } from './access-unit.js';
import { TsMuxer } from './ts-muxer.js';

/** What a TsTap needs from a feed. */
export interface PictureFeed {
  subscribe(listener: (unit: AccessUnit) => void, options?: { replay?: boolean }): () => void;
  wallClockOf(pts: number): number;
}

/** How far behind the picture it is given a reader may fall before it skips to the next keyframe. */
const DEFAULT_MAX_LAG_MS = 2000;

export interface TsTapOpenOptions {
  /** A reader this far behind (in video time) loses pictures up to the next keyframe. Default 2000. */
  maxLagMs?: number;
}

/**
 * A camera feed as MPEG-TS byte streams for ffmpeg consumers (`-f mpegts -copyts -i pipe:0`). Each open() is a
 * fresh stream that starts with PAT/PMT and the last keyframe, and whose PTS are the feed's (so -copyts keeps the
 * feed's timeline). A consumer that falls behind loses whole pictures up to the next keyframe, never parts of one:
 * live consumers must not fall further and further behind (a transcoder that cannot keep up would add seconds of
 * latency), and no consumer may make the edge buffer without end.
 */
export class TsTap {
  constructor(private readonly feed: PictureFeed) {}

  wallClockOf(pts90k: number): number {
    return this.feed.wallClockOf(pts90k);
  }

  open(options: TsTapOpenOptions = {}): Readable {
    const maxLagTicks = (options.maxLagMs ?? DEFAULT_MAX_LAG_MS) * 90;
    const muxer = new TsMuxer();
    let waitingForKeyframe = false;
    let pushedBytes = 0;
    /** Pictures handed over and not yet read by the consumer: where each ends in the byte count, and its dts. */
    const unread: { end: number; dts: number }[] = [];
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
      const consumed = pushedBytes - stream.readableLength;
      while (unread.length > 0 && unread[0]!.end <= consumed) unread.shift();
      const oldestUnread = unread[0]?.dts;
      if (oldestUnread !== undefined && unit.dts - oldestUnread > maxLagTicks) waitingForKeyframe = true;
      if (waitingForKeyframe && !unit.keyframe) return;
      waitingForKeyframe = false;
      const bytes = muxer.mux(unit);
      pushedBytes += bytes.length;
      unread.push({ end: pushedBytes, dts: unit.dts });
      stream.push(bytes);
    };
    subscription.unsubscribe = this.feed.subscribe(deliver, { replay: true });
    return stream;
  }
}
