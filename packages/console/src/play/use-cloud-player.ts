import { useEffect, useRef, useState, type RefObject } from 'react';
import { CloudPlayer, type CloudPlayerStatus, type GamepadInfo, type StreamStats } from '@sightline/player';

/** Keys the page keeps for itself: F2 toggles the HUD. */
export const HUD_KEY = 'F2';

export interface CloudPlayerView {
  player: CloudPlayer | undefined;
  status: CloudPlayerStatus;
  stats: StreamStats | undefined;
  gamepads: GamepadInfo[];
  pointerLocked: boolean;
  fullscreen: boolean;
}

/**
 * A CloudPlayer for the page's lifetime (one per session and token): the signed-in player through the hub's session
 * cookie (the credential never reaches a script or a URL), or a spectator with a spectate token. Its events become
 * React state; unmounting lets go of the connection but does not end the session.
 */
export function useCloudPlayer(options: {
  sessionId: string;
  spectateToken: string | undefined;
  video: RefObject<HTMLVideoElement | null>;
  fullscreenElement: RefObject<HTMLElement | null>;
}): CloudPlayerView {
  const { sessionId, spectateToken, video, fullscreenElement } = options;
  const [player, setPlayer] = useState<CloudPlayer>();
  const [status, setStatus] = useState<CloudPlayerStatus>({ phase: 'loading', session: undefined, spectator: spectateToken !== undefined });
  const [stats, setStats] = useState<StreamStats>();
  const [gamepads, setGamepads] = useState<GamepadInfo[]>([]);
  const [pointerLocked, setPointerLocked] = useState(false);
  const [fullscreen, setFullscreen] = useState(false);
  const fullscreenRef = useRef(fullscreenElement);
  fullscreenRef.current = fullscreenElement;

  useEffect(() => {
    const element = video.current;
    if (!element) return;
    const created = new CloudPlayer({
      hubUrl: window.location.origin,
      sessionId,
      video: element,
      ...(fullscreenRef.current.current ? { fullscreenElement: fullscreenRef.current.current } : {}),
      ...(spectateToken !== undefined ? { spectateToken } : { tokenTransport: 'cookie' as const }),
      reservedKeys: [HUD_KEY],
    });
    setPlayer(created);
    setStatus(created.status);
    setStats(undefined);
    const stops = [
      created.on('status', setStatus),
      created.on('stats', setStats),
      created.on('gamepads', setGamepads),
      created.on('pointerLock', setPointerLocked),
      created.on('fullscreen', setFullscreen),
    ];
    return () => {
      for (const stop of stops) stop();
      setPlayer(undefined);
      void created.destroy();
    };
  }, [sessionId, spectateToken, video]);

  return { player, status, stats, gamepads, pointerLocked, fullscreen };
}
