import { MediaSignallingError } from './media-signalling-error.js';

export const DEFAULT_MAX_SDP_BYTES = 64 * 1024;

/** What the offerer wants to do with video: a WHIP offer must send it, a WHEP offer must receive it. */
export type VideoIntent = 'send' | 'receive';

const DIRECTIONS = ['sendrecv', 'sendonly', 'recvonly', 'inactive'] as const;
type Direction = (typeof DIRECTIONS)[number];

function isDirection(value: string): value is Direction {
  return (DIRECTIONS as readonly string[]).includes(value);
}

/** The directions of the offer's video sections (sendrecv when a section states none, per RFC 4566). */
function videoDirections(sdp: string): Direction[] {
  const directions: Direction[] = [];
  let sessionDirection: Direction = 'sendrecv';
  let current: { video: boolean; direction: Direction | undefined } | undefined;
  const finish = () => {
    if (current?.video) directions.push(current.direction ?? sessionDirection);
  };
  for (const line of sdp.split(/\r?\n/)) {
    if (line.startsWith('m=')) {
      finish();
      current = { video: line.startsWith('m=video '), direction: undefined };
    } else if (line.startsWith('a=')) {
      const attribute = line.slice(2).trim();
      if (isDirection(attribute)) {
        if (current) current.direction = attribute;
        else sessionDirection = attribute;
      }
    }
  }
  finish();
  return directions;
}

/**
 * Checks a WHIP/WHEP POST before any WebRTC work: the content type, the size, the shape of an SDP offer and a video
 * section going the right way. Returns the offer as text.
 */
export function readSdpOffer(
  contentType: string | undefined,
  body: string | Buffer | undefined,
  intent: VideoIntent,
  maxBytes = DEFAULT_MAX_SDP_BYTES,
): string {
  const mediaType = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'application/sdp') {
    throw new MediaSignallingError(
      415,
      'unsupported-media-type',
      `the offer must be sent as application/sdp, not ${contentType ? JSON.stringify(contentType) : 'without a content type'}`,
    );
  }
  const size = body === undefined ? 0 : typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  if (size > maxBytes) {
    throw new MediaSignallingError(413, 'offer-too-large', `the offer has ${size} bytes; at most ${maxBytes} are accepted`);
  }
  const sdp = body === undefined ? '' : typeof body === 'string' ? body : body.toString('utf8');
  if (!/^v=0\r?\n/.test(sdp)) throw new MediaSignallingError(400, 'invalid-sdp', 'the body is not an SDP offer (it must start with "v=0")');
  if (!/\r?\nm=/.test(sdp)) throw new MediaSignallingError(400, 'invalid-sdp', 'the SDP offer has no media section');
  if (sdp.includes('\0')) throw new MediaSignallingError(400, 'invalid-sdp', 'the SDP offer contains a NUL byte');
  const directions = videoDirections(sdp);
  if (directions.length === 0) throw new MediaSignallingError(400, 'no-video', 'the offer has no video section');
  const wanted: Direction[] = intent === 'send' ? ['sendonly', 'sendrecv'] : ['recvonly', 'sendrecv'];
  if (!directions.some((direction) => wanted.includes(direction))) {
    throw new MediaSignallingError(
      400,
      'no-video',
      intent === 'send'
        ? 'the publisher offer does not send video (its video section must be sendonly or sendrecv)'
        : 'the viewer offer does not receive video (its video section must be recvonly or sendrecv)',
    );
  }
  return sdp;
}
