import { useMemo } from 'react';
import { sceneFromCamera, type Scene } from '@sightline/player';
import type { Camera } from '@sightline/protocol';

/** The zones and lines of a camera, as the player draws them; stable while the config does not change. */
export function useCameraScene(camera: Camera | undefined): Scene {
  const analytics = camera?.config.analytics;
  return useMemo(() => sceneFromCamera({ config: { analytics } }), [analytics]);
}
