import { useState } from 'react';
import { Link } from 'react-router';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Camera, CameraHealth, Device, EnrollmentToken } from '@sightline/protocol';
import { hub } from '../api/client.js';
import { errorMessage } from '../api/errors.js';
import { queryKeys } from '../api/query-keys.js';
import { useSession } from '../auth/session.js';
import { Dialog } from '../ui/dialog.js';
import { formatAgo, formatBytes } from '../ui/format.js';
import { Empty, ErrorState, Loading } from '../ui/states.js';
import { CameraFormDialog } from './camera-form-dialog.js';
import { EnrollDialog, EnrollmentInstructions } from './enroll-dialog.js';
import { useCameras, useDevices } from './use-fleet.js';

type CameraDialog = { camera?: Camera } | undefined;

export function FleetPage() {
  const session = useSession();
  const devices = useDevices();
  const cameras = useCameras();
  const [enrolling, setEnrolling] = useState(false);
  const [cameraDialog, setCameraDialog] = useState<CameraDialog>();

  return (
    <section className="page" aria-labelledby="fleet-title">
      <div className="page-header">
        <h1 id="fleet-title">Fleet</h1>
        <div className="actions">
          {session.can('operate') && devices.data && devices.data.length > 0 ? (
            <button type="button" className="button" onClick={() => setCameraDialog({})}>
              Add camera
            </button>
          ) : null}
          {session.can('admin') ? (
            <button type="button" className="button primary" onClick={() => setEnrolling(true)}>
              Enroll device
            </button>
          ) : null}
        </div>
      </div>
      {devices.isPending || cameras.isPending ? (
        <Loading />
      ) : !devices.data || !cameras.data ? (
        <ErrorState error={devices.error ?? cameras.error} retry={() => void Promise.all([devices.refetch(), cameras.refetch()])} />
      ) : devices.data.length === 0 ? (
        <Empty title="No devices yet">
          {session.can('admin') ? 'Enroll an edge device: it gets a one-time token and runs the cameras you configure here.' : 'An administrator enrolls edge devices.'}
        </Empty>
      ) : (
        <div className="device-list">
          {devices.data.map((device) => (
            <DeviceCard
              key={device.id}
              device={device}
              cameras={cameras.data.filter((c) => c.deviceId === device.id)}
              onEditCamera={(camera) => setCameraDialog({ camera })}
            />
          ))}
        </div>
      )}
      <EnrollDialog open={enrolling} onClose={() => setEnrolling(false)} />
      {cameraDialog && devices.data ? (
        <CameraFormDialog open onClose={() => setCameraDialog(undefined)} camera={cameraDialog.camera} devices={devices.data} />
      ) : null}
    </section>
  );
}

function DeviceCard({ device, cameras, onEditCamera }: { device: Device; cameras: Camera[]; onEditCamera: (camera: Camera) => void }) {
  const session = useSession();
  const client = useQueryClient();
  const [token, setToken] = useState<EnrollmentToken>();
  const newToken = useMutation({ mutationFn: () => hub.devices.newEnrollmentToken(device.id), onSuccess: setToken });
  const remove = useMutation({
    mutationFn: () => hub.devices.delete(device.id),
    onSuccess: () => void client.invalidateQueries({ queryKey: queryKeys.devices }),
  });
  const healthOf = (id: string): CameraHealth | undefined => device.cameras.find((h) => h.cameraId === id);
  const status = !device.enrolled ? 'not enrolled' : device.online ? 'online' : 'offline';
  return (
    <article className="card device" aria-labelledby={`device-${device.id}`} data-testid={`device-${device.id}`}>
      <header className="device-header">
        <h2 id={`device-${device.id}`}>
          <span className={`dot ${device.online ? 'ok' : 'off'}`} aria-hidden="true" />
          {device.name ?? device.id}
        </h2>
        <span className={`badge ${device.online ? 'ok' : ''}`} data-testid="device-status">
          {status}
        </span>
        <dl className="facts">
          <div>
            <dt>Version</dt>
            <dd>{device.version ?? '—'}</dd>
          </div>
          <div>
            <dt>CPU</dt>
            <dd>{device.cpuPercent === null ? '—' : `${device.cpuPercent.toFixed(0)} %`}</dd>
          </div>
          <div>
            <dt>Memory</dt>
            <dd>{device.memoryBytes === null ? '—' : formatBytes(device.memoryBytes)}</dd>
          </div>
          <div>
            <dt>Last seen</dt>
            <dd>{device.lastSeenAt === null ? 'never' : formatAgo(device.lastSeenAt)}</dd>
          </div>
          <div>
            <dt>Config</dt>
            <dd>
              v{device.configVersion}
              {device.appliedVersion === device.configVersion ? (device.appliedOk === false ? ' (errors)' : ' applied') : ' pending'}
            </dd>
          </div>
        </dl>
        {session.can('admin') ? (
          <div className="actions">
            <button type="button" className="button small ghost" onClick={() => newToken.mutate()}>
              New enrollment token
            </button>
            <button
              type="button"
              className="button small danger"
              onClick={() => {
                if (window.confirm(`Remove device ${device.id} and its credentials?`)) remove.mutate();
              }}
            >
              Remove
            </button>
          </div>
        ) : null}
      </header>
      {device.appliedErrors && device.appliedErrors.length > 0 ? (
        <ul className="form-error">
          {device.appliedErrors.map((e, i) => (
            <li key={i}>
              {e.path}: {e.message}
            </li>
          ))}
        </ul>
      ) : null}
      {newToken.error || remove.error ? (
        <p className="form-error" role="alert">
          {errorMessage(newToken.error ?? remove.error)}
        </p>
      ) : null}
      {cameras.length === 0 ? (
        <p className="muted">No cameras on this device.</p>
      ) : (
        <table className="table">
          <caption className="visually-hidden">Cameras of {device.id}</caption>
          <thead>
            <tr>
              <th scope="col">Camera</th>
              <th scope="col">State</th>
              <th scope="col">fps</th>
              <th scope="col">Dropped</th>
              <th scope="col">Inference</th>
              <th scope="col">Recording</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {cameras.map((camera) => {
              const health = healthOf(camera.id);
              const state = camera.config.enabled ? (health?.state ?? 'waiting') : 'disabled';
              return (
                <tr key={camera.id} data-testid={`camera-row-${camera.id}`}>
                  <th scope="row">
                    <Link to={`/cameras/${encodeURIComponent(camera.id)}`}>{camera.config.name ?? camera.id}</Link>
                    <div className="muted small">{camera.config.source}</div>
                  </th>
                  <td>
                    <span className={`badge state-${state}`} data-testid="camera-state">
                      {state}
                    </span>
                    {health?.message ? <div className="field-error small">{health.message}</div> : null}
                  </td>
                  <td>{health ? health.fps.toFixed(1) : '—'}</td>
                  <td>{health ? health.droppedFrames : '—'}</td>
                  <td>{health ? `${health.inferenceMs.toFixed(1)} ms` : '—'}</td>
                  <td>{camera.config.recording?.mode ?? 'off'}</td>
                  <td>
                    {session.can('operate') ? (
                      <button type="button" className="button small ghost" onClick={() => onEditCamera(camera)} aria-label={`Edit camera ${camera.id}`}>
                        Edit
                      </button>
                    ) : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <Dialog title={`New enrollment token for ${device.id}`} open={token !== undefined} onClose={() => setToken(undefined)}>
        {token ? <EnrollmentInstructions enrollment={token} /> : null}
      </Dialog>
    </article>
  );
}
