import type { Detection, FrameResult, LiveOverlayFrame, OverlayObject } from '@sightline/protocol';
import { H264Packetizer } from '@sightline/media';

const MAX_OBJECTS = 500;

/**
 * What a viewer draws for one analysed frame. The key is the frame's RTP timestamp: analysis reads the camera's feed
 * with the feed's pts, and the publisher stamps each picture's packets with the same pts, so both sides name the
 * same picture by the same number. Tracked objects carry their track id; tentative ones are drawn without one.
 */
export function overlayFrameOf(result: FrameResult, capturedAt: number): LiveOverlayFrame {
  const tracked = result.tracks.filter((t) => t.state === 'confirmed' || t.state === 'tentative');
  const source: (Detection & { trackId?: number })[] =
    tracked.length > 0 || result.detections.length === 0
      ? tracked.map((t) => (t.state === 'confirmed' ? t : { ...t, trackId: undefined }))
      : result.detections;
  const objects: OverlayObject[] = source.slice(0, MAX_OBJECTS).map((o) => ({
    classId: o.classId,
    label: o.label,
    score: Math.round(o.score * 1000) / 1000,
    box: o.box.map((v) => Math.round(v * 10) / 10) as [number, number, number, number],
    ...(o.trackId !== undefined ? { trackId: o.trackId } : {}),
  }));
  return {
    cameraId: result.cameraId,
    rtpTimestamp: H264Packetizer.rtpTimestampOf(Math.round(result.pts * 90_000)),
    capturedAt: Math.round(capturedAt),
    width: result.width,
    height: result.height,
    objects,
  };
}
