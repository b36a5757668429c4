/**
 * A camera source for the encoder. A string follows the conventions used across Sightline:
 * - `lavfi:<graph>`: an ffmpeg test pattern, e.g. `lavfi:testsrc2=size=1280x720:rate=30`;
 * - `loop:<path>`: a file played forever at its own rate, standing in for a camera;
 * - `file:<path>` or a bare path: a file played once at its own rate;
 * - `rtsp://` / `rtsps://`: a camera (over TCP);
 * - `v4l2:<device>` or `/dev/videoN`: a local capture device;
 * - any other URL (`http(s)://`, `srt://`, `udp://`, ...): handed to ffmpeg as is.
 * An object gives ffmpeg's input options verbatim (they must end with `-i <input>`), for anything else.
 */
export type EncoderSource = string | CustomEncoderSource;

export interface CustomEncoderSource {
  /** Everything ffmpeg needs to open the input, ending with `-i <input>`. */
  inputArgs: readonly string[];
  /** How the source appears in logs and errors (credentials must not be in it). */
  display?: string;
}

export type EncoderSourceKind = 'lavfi' | 'file' | 'rtsp' | 'v4l2' | 'url' | 'custom';

export interface EncoderInput {
  kind: EncoderSourceKind;
  /** Input options including `-i`. */
  args: string[];
  /** A finite file that ends (not looped): its end is the end of the stream, not a failure. */
  finite: boolean;
  /** A file whose position can be resumed with `-ss` when the encoder restarts. */
  seekable: boolean;
  display: string;
}

/** Replace the password of a URL with `***` so that a source can be logged. */
export function redactSource(source: string): string {
  try {
    const url = new URL(source);
    if (!url.password) return source;
    url.password = '***';
    return url.toString();
  } catch {
    return source;
  }
}

/**
 * Build ffmpeg's input options for `source`. Files and test patterns are read at their native rate (`-re`) because
 * the encoder publishes live: reading faster would only fill buffers downstream. `seekSeconds` resumes a file where
 * a previous encoder left off.
 */
export function encoderInput(source: EncoderSource, seekSeconds = 0): EncoderInput {
  if (typeof source !== 'string') {
    return { kind: 'custom', args: [...source.inputArgs], finite: false, seekable: false, display: source.display ?? 'custom input' };
  }
  const display = redactSource(source);
  const seek = seekSeconds > 0 ? ['-ss', seekSeconds.toFixed(3)] : [];
  if (source.startsWith('lavfi:')) {
    return { kind: 'lavfi', args: ['-re', '-f', 'lavfi', '-i', source.slice('lavfi:'.length)], finite: false, seekable: false, display };
  }
  if (source.startsWith('loop:')) {
    const path = source.slice('loop:'.length);
    return { kind: 'file', args: ['-re', '-stream_loop', '-1', ...seek, '-i', path], finite: false, seekable: true, display };
  }
  if (source.startsWith('v4l2:') || /^\/dev\/video\d+$/.test(source)) {
    const device = source.startsWith('v4l2:') ? source.slice('v4l2:'.length) : source;
    return { kind: 'v4l2', args: ['-f', 'v4l2', '-i', device], finite: false, seekable: false, display };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(source)?.[1]?.toLowerCase();
  if (scheme === 'rtsp' || scheme === 'rtsps') {
    // nobuffer + low_delay: a camera pushes frames in real time, so nothing is gained by ffmpeg holding them back.
    const args = ['-rtsp_transport', 'tcp', '-fflags', 'nobuffer', '-flags', 'low_delay', '-i', source];
    return { kind: 'rtsp', args, finite: false, seekable: false, display };
  }
  if (scheme !== undefined && scheme !== 'file') {
    return { kind: 'url', args: ['-i', source], finite: false, seekable: false, display };
  }
  const path = source.startsWith('file:') ? source.slice('file:'.length).replace(/^\/\/(?=\/)/, '') : source;
  return { kind: 'file', args: ['-re', ...seek, '-i', path], finite: true, seekable: true, display };
}
