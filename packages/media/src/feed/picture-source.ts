import type { KeyframeDecision } from '../publish/keyframe-policy.js';
import type { VideoCodecName } from './access-unit.js';
import type { PictureFeed } from './ts-tap.js';

/** A live source of H.264 pictures on one timeline: a camera feed, or a transcoder that processes one. */
export interface PictureSource extends PictureFeed {
  /** What its pictures are, fixed for its lifetime. Absent means H.264. */
  readonly codec?: VideoCodecName;
  /** 'running' while pictures flow. */
  readonly state: string;
  readonly lastError: string | undefined;
  /** A transcoder can make a keyframe on request; a camera feed cannot (undefined). */
  requestKeyframe?(): KeyframeDecision;
}
