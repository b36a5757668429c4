import { Link, useNavigate } from 'react-router';
import type { Camera, CameraHealth } from '@sightline/protocol';
import { useSession } from '../auth/session.js';
import { useCameras, useDevices } from '../fleet/use-fleet.js';
import { LiveView } from '../live/live-view.js';
import { useCameraScene } from '../live/scene.js';
import { Empty, ErrorState, Loading } from '../ui/states.js';

/** Every enabled camera live, in a grid that fits the screen (one column on a phone, four on a wide monitor). */
export function CameraWallPage() {
  const session = useSession();
  const cameras = useCameras();
  const devices = useDevices();
  const health = new Map<string, CameraHealth>((devices.data ?? []).flatMap((d) => d.cameras.map((h) => [h.cameraId, h] as const)));
  return (
    <section className="page" aria-labelledby="wall-title">
      <div className="page-header">
        <h1 id="wall-title">Cameras</h1>
        {cameras.data ? <span className="muted">{cameras.data.filter((c) => c.config.enabled).length} live</span> : null}
      </div>
      {cameras.isPending ? (
        <Loading />
      ) : !cameras.data ? (
        <ErrorState error={cameras.error} retry={() => void cameras.refetch()} />
      ) : cameras.data.filter((c) => c.config.enabled).length === 0 ? (
        <Empty title="No cameras yet">
          {session.can('operate') ? (
            <>
              Add one on the <Link to="/fleet">Fleet</Link> page.
            </>
          ) : (
            'An operator adds cameras on the Fleet page.'
          )}
        </Empty>
      ) : (
        <ul className="camera-wall" data-testid="camera-wall">
          {cameras.data
            .filter((c) => c.config.enabled)
            .map((camera) => (
              <li key={camera.id}>
                <CameraTile camera={camera} health={health.get(camera.id)} />
              </li>
            ))}
        </ul>
      )}
    </section>
  );
}

function CameraTile({ camera, health }: { camera: Camera; health: CameraHealth | undefined }) {
  const navigate = useNavigate();
  const scene = useCameraScene(camera);
  const name = camera.config.name ?? camera.id;
  const href = `/cameras/${encodeURIComponent(camera.id)}`;
  return (
    <article className="tile" data-testid={`tile-${camera.id}`}>
      {/* The picture is a big click target; the link below is the keyboard and screen reader path. */}
      <div className="tile-video" onClick={() => void navigate(href)}>
        <LiveView cameraId={camera.id} scene={scene} label={`Live video of ${name}`} />
      </div>
      <footer className="tile-footer">
        <Link to={href}>{name}</Link>
        <span className={`badge state-${health?.state ?? 'waiting'}`}>{health?.state ?? 'waiting'}</span>
        {health ? <span className="muted small">{health.fps.toFixed(1)} fps</span> : null}
      </footer>
    </article>
  );
}
