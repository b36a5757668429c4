import { z } from 'zod';

/** One line of ffmpeg's segment list in CSV: the file name, then its start and end time in seconds. */
export interface SegmentListEntry {
  file: string;
  /** ffmpeg's index of the segment in this run (from the file name, `…-000042.mp4`). */
  index: number;
  startSeconds: number;
  endSeconds: number;
}

const LINE = /^(?<file>[A-Za-z0-9._-]+-(?<index>\d{6})\.mp4),(?<start>-?\d+(?:\.\d+)?),(?<end>-?\d+(?:\.\d+)?)$/;
const EntrySchema = z.object({
  file: z.string(),
  index: z.coerce.number().int().nonnegative(),
  start: z.coerce.number(),
  end: z.coerce.number(),
});

/**
 * Parses a segment list line as ffmpeg writes it for `-segment_list_type csv`. Our file names need no CSV quoting;
 * anything else (a quoted name, noise) is not ours and yields undefined.
 */
export function parseSegmentListLine(line: string): SegmentListEntry | undefined {
  const match = LINE.exec(line.trim());
  const parsed = EntrySchema.safeParse(match?.groups);
  if (!parsed.success || parsed.data.end < parsed.data.start) return undefined;
  return { file: parsed.data.file, index: parsed.data.index, startSeconds: parsed.data.start, endSeconds: parsed.data.end };
}
