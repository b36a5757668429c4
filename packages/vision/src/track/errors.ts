/** A tracker option is out of range or inconsistent with another. */
export class TrackerOptionsError extends RangeError {
  override readonly name = 'TrackerOptionsError';
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(`invalid tracker option ${option}: ${message}`);
  }
}

/** A detection handed to the tracker cannot be tracked (non-finite box, inverted box, score outside 0-1). */
export class InvalidDetectionError extends RangeError {
  override readonly name = 'InvalidDetectionError';
  constructor(
    readonly index: number,
    message: string,
  ) {
    super(`detection ${index}: ${message}`);
  }
}

/** A frame index went backwards; trackers only move forward in time. */
export class FrameOrderError extends RangeError {
  override readonly name = 'FrameOrderError';
  constructor(
    readonly frameIndex: number,
    readonly previous: number,
  ) {
    super(`frame index ${frameIndex} is before the previous frame index ${previous}`);
  }
}

/** A MOTChallenge file (result text or seqinfo.ini) is malformed. */
export class MotFormatError extends Error {
  override readonly name = 'MotFormatError';
  constructor(
    message: string,
    /** 1-based line number, when the problem is on one line. */
    readonly line?: number,
  ) {
    super(line === undefined ? message : `line ${line}: ${message}`);
  }
}
