import { useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';
import type { OverlayLayers } from '@sightline/player';
import { useSession } from '../auth/session.js';
import { useDevices } from '../fleet/use-fleet.js';
import { LiveView } from '../live/live-view.js';
import { useCameraScene } from '../live/scene.js';
import { EventList } from '../events/event-list.js';
import { ErrorState, Loading } from '../ui/states.js';
import { AppliedVersion } from './applied-version.js';
import { LiveCounters } from './live-counters.js';
import { SceneEditor } from './scene-editor.js';
import { useCamera } from './use-camera.js';

const LAYER_NAMES: [keyof OverlayLayers, string][] = [
  ['boxes', 'Boxes'],
  ['labels', 'Labels'],
  ['trackIds', 'Track ids'],
  ['zones', 'Zones'],
  ['lines', 'Lines'],
];

export function CameraPage() {
  const { cameraId = '' } = useParams();
  const session = useSession();
  const camera = useCamera(cameraId);
  const devices = useDevices();
  const scene = useCameraScene(camera.data);
  const [layers, setLayers] = useState<OverlayLayers>({ boxes: true, labels: true, trackIds: true, zones: true, lines: true });
  const [editing, setEditing] = useState(false);
  const filter = useMemo(() => ({ cameraId }), [cameraId]);

  if (camera.isPending) return <Loading />;
  if (!camera.data) return <ErrorState error={camera.error} retry={() => void camera.refetch()} />;
  const health = devices.data?.flatMap((d) => d.cameras).find((h) => h.cameraId === cameraId);
  const name = camera.data.config.name ?? camera.data.id;

  return (
    <section className="page" aria-labelledby="camera-title">
      <div className="page-header">
        <div>
          <p className="breadcrumb">
            <Link to="/">Cameras</Link> / {camera.data.id}
          </p>
          <h1 id="camera-title">{name}</h1>
        </div>
        <div className="actions">
          {health ? (
            <span className="muted small" data-testid="camera-health">
              <span className={`badge state-${health.state}`}>{health.state}</span> {health.fps.toFixed(1)} fps · {health.inferenceMs.toFixed(0)} ms inference · {health.droppedFrames} dropped
            </span>
          ) : null}
          {session.can('operate') && !editing ? (
            <button type="button" className="button primary" onClick={() => setEditing(true)}>
              Edit zones and lines
            </button>
          ) : null}
        </div>
      </div>
      {health?.state === 'error' && health.message ? (
        <p className="form-error" role="alert">
          {health.message}
        </p>
      ) : null}
      {editing ? (
        <SceneEditor camera={camera.data} onDone={() => setEditing(false)} />
      ) : (
        <div className="camera-layout">
          <div>
            <LiveView cameraId={camera.data.id} scene={scene} layers={layers} label={`Live video of ${name}`} />
            <fieldset className="layer-toggles">
              <legend>Overlays</legend>
              {LAYER_NAMES.map(([key, label]) => (
                <label key={key} className="checkbox">
                  <input type="checkbox" checked={layers[key]} onChange={(e) => setLayers((l) => ({ ...l, [key]: e.target.checked }))} /> {label}
                </label>
              ))}
            </fieldset>
            <AppliedVersion camera={camera.data} />
          </div>
          <aside className="camera-side">
            <h2>Counters</h2>
            <LiveCounters camera={camera.data} />
            <h2>Events</h2>
            <EventList filter={filter} compact />
          </aside>
        </div>
      )}
    </section>
  );
}
