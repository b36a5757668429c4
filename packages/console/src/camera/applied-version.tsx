import type { Camera } from '@sightline/protocol';

/** Whether the edge runs the camera's current config: the hub bumps the version, the edge reports it applied. */
export function AppliedVersion({ camera }: { camera: Camera }) {
  const text =
    camera.applied === true
      ? `Config v${camera.configVersion} applied by the edge`
      : camera.applied === false
        ? `Config v${camera.configVersion} not applied yet: waiting for the edge…`
        : `Config v${camera.configVersion}: the edge has not reported yet`;
  return (
    <p className={`applied ${camera.applied ? 'ok' : 'pending'}`} role="status" data-testid="applied-version" data-applied={String(camera.applied)} data-version={camera.configVersion}>
      {text}
    </p>
  );
}
