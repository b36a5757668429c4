/**
 * Just enough SDP (RFC 4566) for an RTSP relay: the media sections of a publisher's description and the
 * control attribute of each (RFC 2326 §C.1.1), which names the track in SETUP requests.
 */
export interface SessionDescription {
  /** The SDP to hand to readers; every media section carries an `a=control:` line. */
  text: string;
  /** Control value of each media section, in order (relative like `streamid=0`, or an absolute URL). */
  controls: string[];
}

/** Parse a publisher's SDP; media sections without a control get `trackID=<n>`. Throws on SDP without media. */
export function parseSessionDescription(sdp: string): SessionDescription {
  const lines = sdp.split(/\r?\n/).filter((line) => line.length > 0);
  if (!lines[0]?.startsWith('v=')) throw new Error('SDP must start with a v= line');
  const out: string[] = [];
  const controls: string[] = [];
  let mediaControl: string | null | undefined; // undefined: still in the session part
  const closeMedia = () => {
    if (mediaControl === null) {
      const control = `trackID=${controls.length}`;
      out.push(`a=control:${control}`);
      controls.push(control);
    } else if (mediaControl !== undefined) {
      controls.push(mediaControl);
    }
  };
  for (const line of lines) {
    if (line.startsWith('m=')) {
      closeMedia();
      mediaControl = null;
    } else if (line.startsWith('a=control:') && mediaControl !== undefined) {
      mediaControl = line.slice('a=control:'.length).trim();
    }
    out.push(line);
  }
  closeMedia();
  if (controls.length === 0) throw new Error('SDP has no media section');
  return { text: `${out.join('\r\n')}\r\n`, controls };
}
