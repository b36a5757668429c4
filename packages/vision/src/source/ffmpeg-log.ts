import type { SourceErrorCode } from './source-error.js';

export type FfmpegLogLevel = 'panic' | 'fatal' | 'error' | 'warning' | 'info' | 'verbose' | 'debug' | 'trace';

/** One line of ffmpeg stderr written with `-loglevel level+...`. */
export interface FfmpegLogLine {
  /** The log context, e.g. `Parsed_showinfo_1` or `rtsp`; absent for ffmpeg's own messages. */
  context?: string;
  level: FfmpegLogLevel;
  message: string;
}

const LINE = /^(?:\[([^\]]+?) @ 0x[0-9a-f]+\] )?\[(panic|fatal|error|warning|info|verbose|debug|trace)\] (.*)$/;

export function parseFfmpegLogLine(line: string): FfmpegLogLine {
  const m = LINE.exec(line);
  if (!m) return { level: 'info', message: line };
  const [, context, level, message] = m;
  return { ...(context === undefined ? {} : { context }), level: level as FfmpegLogLevel, message: message ?? '' };
}

export function isErrorLevel(level: FfmpegLogLevel): boolean {
  return level === 'panic' || level === 'fatal' || level === 'error';
}

/** What the `showinfo` filter reports for one frame. */
export interface ShowinfoFrame {
  /** Presentation timestamp in time-base units, or null when the frame has none. */
  pts: number | null;
  /** The same in seconds as printed (only 6 significant digits), or null. */
  ptsTime: number | null;
  width: number;
  height: number;
}

const SHOWINFO_FRAME = /^n:\s*\d+\s+pts:\s*(-?\d+|NOPTS)\s+pts_time:(\S+).*?\ss:(\d+)x(\d+)\s/;
const SHOWINFO_TIME_BASE = /^config in time_base: (\d+)\/(\d+)/;

function isShowinfo(line: FfmpegLogLine): boolean {
  return line.context?.startsWith('Parsed_showinfo_') === true;
}

export function parseShowinfoFrame(line: FfmpegLogLine): ShowinfoFrame | null {
  if (!isShowinfo(line)) return null;
  const m = SHOWINFO_FRAME.exec(`${line.message} `);
  if (!m) return null;
  const pts = m[1] === 'NOPTS' ? null : Number(m[1]);
  const ptsTime = Number(m[2]);
  return { pts, ptsTime: Number.isFinite(ptsTime) ? ptsTime : null, width: Number(m[3]), height: Number(m[4]) };
}

/** The time base showinfo's input link uses, as seconds per pts unit; null when the line is not that. */
export function parseShowinfoTimeBase(line: FfmpegLogLine): number | null {
  if (!isShowinfo(line)) return null;
  const m = SHOWINFO_TIME_BASE.exec(line.message);
  if (!m) return null;
  const num = Number(m[1]);
  const den = Number(m[2]);
  return num > 0 && den > 0 ? num / den : null;
}

/** Most specific first: a 404 is "not found" even though it is also a network answer. */
const FAILURE_PATTERNS: readonly [SourceErrorCode, RegExp][] = [
  ['not-found', /No such file or directory|No such device|404 Not Found|Server returned 404|Cannot open video device/i],
  ['unauthorized', /401 Unauthorized|403 Forbidden|Server returned 40[13]|Unauthorized|authori[sz]ation failed/i],
  [
    'undecodable',
    /Invalid data found when processing input|matches no streams|does not contain any stream|Could not find codec parameters|moov atom not found|Decoder \(.*\) not found|Unsupported codec|no decoder/i,
  ],
  ['invalid-options', /No such filter|Unrecognized option|Option .* not found|Error parsing (?:filterchain|options)|Invalid option/i],
  [
    'connection-failed',
    /Connection refused|Connection timed out|Connection reset|No route to host|Network is unreachable|Name or service not known|Temporary failure in name resolution|Server returned|Input\/output error|I\/O error|Broken pipe|End of file|timed out|Protocol not found/i,
  ],
];

/** Map ffmpeg's error lines to a failure code and the line that explains it (the last error line when none matches). */
export function classifyFfmpegFailure(errorLines: readonly string[]): { code: SourceErrorCode; line?: string } {
  for (const [code, pattern] of FAILURE_PATTERNS) {
    const line = errorLines.find((l) => pattern.test(l));
    if (line !== undefined) return { code, line };
  }
  const last = errorLines.at(-1);
  return last === undefined ? { code: 'ffmpeg-failed' } : { code: 'ffmpeg-failed', line: last };
}
