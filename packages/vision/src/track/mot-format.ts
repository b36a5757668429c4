import type { Box } from '@sightline/protocol';
import { MotFormatError } from './errors.js';

/** One line of a MOTChallenge text file (gt.txt, det.txt or a tracker's result). */
export interface MotRecord {
  /** 1-based frame number. */
  frame: number;
  /** Object id; −1 for detections without identity. */
  id: number;
  /** [left, top, left + width, top + height] in MOT pixel coordinates. */
  box: Box;
  /** Confidence column: a detector score in det.txt, a 0/1 "consider" flag or −1 in gt.txt. */
  confidence: number;
}

/**
 * Parse MOTChallenge text: `frame,id,left,top,width,height[,conf[,x,y,z | ,class,visibility]]` per line.
 * Commas or whitespace separate fields; blank lines are skipped. Throws MotFormatError naming the bad line.
 */
export function parseMotChallenge(text: string): MotRecord[] {
  const records: MotRecord[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    const lineNo = i + 1;
    const fields = line.split(/\s*,\s*|\s+/);
    if (fields.length < 6) throw new MotFormatError(`expected at least 6 fields, got ${fields.length}`, lineNo);
    const values = fields.map((f) => Number(f));
    const bad = values.findIndex((v, k) => k < 7 && !Number.isFinite(v));
    if (bad >= 0) throw new MotFormatError(`field ${bad + 1} is not a number: "${fields[bad]}"`, lineNo);
    const [frame, id, left, top, width, height] = values as [number, number, number, number, number, number];
    if (!Number.isInteger(frame) || frame < 0) throw new MotFormatError(`frame must be a non-negative integer, got ${frame}`, lineNo);
    if (!Number.isInteger(id)) throw new MotFormatError(`id must be an integer, got ${id}`, lineNo);
    if (width < 0 || height < 0) throw new MotFormatError(`width and height must not be negative, got ${width}×${height}`, lineNo);
    records.push({ frame, id, box: [left, top, left + width, top + height], confidence: values[6] ?? 1 });
  });
  return records;
}

/** Records grouped by frame number, frames in ascending order. */
export function groupMotRecordsByFrame(records: readonly MotRecord[]): Map<number, MotRecord[]> {
  const byFrame = new Map<number, MotRecord[]>();
  for (const r of records) {
    const list = byFrame.get(r.frame);
    if (list) list.push(r);
    else byFrame.set(r.frame, [r]);
  }
  return new Map([...byFrame].sort((a, b) => a[0] - b[0]));
}

/** One MOTChallenge result line for a tracked box (1-based frame, conf and 3-D fields set to −1). */
export function formatMotChallengeLine(frame: number, id: number, box: Box): string {
  const r = (v: number) => Number(v.toFixed(2));
  return `${frame},${id},${r(box[0])},${r(box[1])},${r(box[2] - box[0])},${r(box[3] - box[1])},-1,-1,-1,-1`;
}
