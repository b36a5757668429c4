import { useEffect, useRef, useState, type ReactNode } from 'react';
import { LivePlayer, type OverlayLayers, type Scene, type WhepState } from '@sightline/player';
import { viewTokenProvider } from './live-token.js';
import { useHubSettings } from '../settings/use-hub-settings.js';

export interface LiveViewProps {
  cameraId: string;
  /** Zones and lines to draw (the player is given them: a view token may not read the camera). */
  scene: Scene;
  layers?: Partial<OverlayLayers>;
  /** For the accessible name of the video. */
  label: string;
  className?: string;
  /** Reports the natural size of the picture once known, so editors can match its aspect ratio. */
  onVideoSize?: (size: { width: number; height: number }) => void;
  children?: ReactNode;
}

const STATE_TEXT: Record<WhepState, string> = {
  idle: 'Starting…',
  connecting: 'Connecting…',
  connected: 'Live',
  reconnecting: 'Reconnecting…',
  failed: 'Unavailable',
  closed: 'Stopped',
};

/**
 * A camera's live video (WebRTC through @sightline/player) with the analysis drawn on the very frame it came from.
 * The player owns the connection; this component only creates it, passes layer and scene changes, and destroys it.
 */
export function LiveView({ cameraId, scene, layers, label, className, onVideoSize, children }: LiveViewProps) {
  const videoRef = useRef<HTMLVideoElement>(null);
  const playerRef = useRef<LivePlayer | undefined>(undefined);
  const [state, setState] = useState<{ state: WhepState; error?: string }>({ state: 'idle' });
  const [aspect, setAspect] = useState(16 / 9);
  const sceneRef = useRef(scene);
  sceneRef.current = scene;
  const layersRef = useRef(layers);
  layersRef.current = layers;
  // The hub's STUN/TURN servers (Settings): the player waits for them, and starts again when an admin changes them.
  const settings = useHubSettings();
  const iceKey = settings.isPending ? undefined : JSON.stringify(settings.data?.iceServers ?? []);

  useEffect(() => {
    const video = videoRef.current;
    if (!video || iceKey === undefined) return;
    const player = new LivePlayer({
      iceServers: JSON.parse(iceKey) as RTCIceServer[],
      hubUrl: window.location.origin,
      cameraId,
      video,
      token: viewTokenProvider(cameraId),
      scene: sceneRef.current,
      ...(layersRef.current ? { layers: layersRef.current } : {}),
    });
    playerRef.current = player;
    const stop = player.on('state', (change) => setState({ state: change.state, ...(change.error ? { error: change.error.message } : {}) }));
    return () => {
      stop();
      playerRef.current = undefined;
      void player.destroy();
    };
  }, [cameraId, iceKey]);

  useEffect(() => playerRef.current?.setScene(scene), [scene]);
  useEffect(() => {
    if (layers) playerRef.current?.setLayers(layers);
  }, [layers]);

  return (
    <div className={`live-view ${className ?? ''}`} style={{ aspectRatio: String(aspect) }} data-live-state={state.state}>
      <video
        ref={videoRef}
        muted
        playsInline
        autoPlay
        aria-label={label}
        onLoadedMetadata={(e) => {
          const { videoWidth: width, videoHeight: height } = e.currentTarget;
          if (width > 0 && height > 0) {
            setAspect(width / height);
            onVideoSize?.({ width, height });
          }
        }}
      />
      {children}
      <span className={`live-badge ${state.state}`} role="status" title={state.error}>
        {STATE_TEXT[state.state]}
      </span>
    </div>
  );
}
