/** One file of a clip, with where to start and stop in it (ms from the file's start), for ffmpeg's concat demuxer. */
export interface ClipPart {
  path: string;
  inpointMs?: number;
  outpointMs?: number;
}

export interface PlannedSegment {
  path: string;
  startedAt: number;
  endedAt: number;
}

/**
 * Which parts of which segments make up [from, to): segments sorted by start, each cut where the previous one ended
 * (a restarted recorder repeats a few seconds) and the first and last cut to the range. A segment the earlier ones
 * already cover is left out. Cuts are in file time: segments start at 0 (the edge writes them so), and with stream
 * copy ffmpeg starts a cut part at the keyframe before the in point.
 */
export function planClip(segments: readonly PlannedSegment[], from: number, to: number): ClipPart[] {
  const parts: ClipPart[] = [];
  let covered = from;
  for (const segment of segments) {
    if (segment.endedAt <= covered || segment.startedAt >= to) continue;
    const part: ClipPart = { path: segment.path };
    if (covered > segment.startedAt) part.inpointMs = covered - segment.startedAt;
    if (to < segment.endedAt) part.outpointMs = to - segment.startedAt;
    parts.push(part);
    covered = Math.min(segment.endedAt, to);
    if (covered >= to) break;
  }
  return parts;
}

/** The concat demuxer's script for the parts (paths quoted as it wants). */
export function concatScript(parts: readonly ClipPart[]): string {
  const lines = ['ffconcat version 1.0'];
  for (const part of parts) {
    lines.push(`file '${part.path.replace(/'/g, "'\\''")}'`);
    if (part.inpointMs !== undefined) lines.push(`inpoint ${(part.inpointMs / 1000).toFixed(3)}`);
    if (part.outpointMs !== undefined) lines.push(`outpoint ${(part.outpointMs / 1000).toFixed(3)}`);
  }
  return `${lines.join('\n')}\n`;
}
