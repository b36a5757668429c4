import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import type { ModelInfo } from '@sightline/protocol';
import { hub } from '../api/client.js';
import { formatBytes } from '../ui/format.js';
import { Empty, QueryView } from '../ui/states.js';
import './models.css';

const USE_TEXT = { detection: 'detection', 'face-blur': 'face blurring' } as const;

/**
 * The models the hub knows (its catalogue) and the ones cameras name, each with the cameras that run it. The hub does
 * not see which model files an edge has downloaded (`sightline models fetch` on the edge); a camera whose model is
 * missing there reports the error in its health.
 */
export function ModelsPage() {
  const models = useQuery({ queryKey: ['models'], queryFn: ({ signal }) => hub.models.list({ signal }), staleTime: 30_000 });
  return (
    <section className="page" aria-labelledby="models-title">
      <div className="page-header">
        <h1 id="models-title">Models</h1>
        {models.data ? (
          <span className="muted small">
            {models.data.length} models, {models.data.filter((m) => m.cameras.length > 0).length} in use
          </span>
        ) : null}
      </div>
      <p className="muted">
        The catalogue this hub knows and every model a camera names. An edge runs a catalogue model once it is downloaded there
        (<code>sightline models fetch &lt;name&gt;</code> on the edge machine, checked against its sha256); until then the camera shows an error saying so. A
        model outside the catalogue is a model package or .onnx file on the edge.
      </p>
      <QueryView query={models} empty={(list) => (list.length === 0 ? <Empty title="No models">The hub was started without a catalogue and no camera names a model.</Empty> : undefined)}>
        {(list) => (
          <ul className="model-list">
            {list.map((model) => (
              <ModelCard key={model.name} model={model} />
            ))}
          </ul>
        )}
      </QueryView>
    </section>
  );
}

function ModelCard({ model }: { model: ModelInfo }) {
  const titleId = `model-${model.name.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  return (
    <li className="card model" data-testid="model" data-model={model.name} aria-labelledby={titleId}>
      <div className="model-header">
        <h2 id={titleId}>{model.name}</h2>
        {model.inCatalogue ? <span className="badge">catalogue</span> : <span className="badge warn">not in the catalogue</span>}
        {model.cameras.length > 0 ? <span className="badge ok">in use</span> : null}
      </div>
      {model.description ? <p>{model.description}</p> : null}
      {model.inCatalogue ? (
        <dl className="facts">
          <div>
            <dt>Family</dt>
            <dd>{model.family}</dd>
          </div>
          {model.input ? (
            <div>
              <dt>Input</dt>
              <dd>
                {model.input.width}×{model.input.height}
              </dd>
            </div>
          ) : null}
          <div>
            <dt>Version</dt>
            <dd>{model.version}</dd>
          </div>
          {model.license ? (
            <div>
              <dt>License</dt>
              <dd>{model.license}</dd>
            </div>
          ) : null}
          {model.sizeBytes ? (
            <div>
              <dt>Size</dt>
              <dd>{formatBytes(model.sizeBytes)}</dd>
            </div>
          ) : null}
        </dl>
      ) : (
        <p className="muted small">A model package on the edge; the hub knows only its name.</p>
      )}
      {model.labels.length > 0 ? (
        <details>
          <summary>{model.labels.length === 1 ? '1 class' : `${model.labels.length} classes`}</summary>
          <p className="labels small">{model.labels.join(', ')}</p>
        </details>
      ) : null}
      <h3 className="small-heading">Used by</h3>
      {model.cameras.length === 0 ? (
        <p className="muted small">No camera.</p>
      ) : (
        <ul className="model-cameras">
          {model.cameras.map((c) => (
            <li key={`${c.cameraId}-${c.use}`}>
              <Link to={`/cameras/${encodeURIComponent(c.cameraId)}`}>{c.name ?? c.cameraId}</Link>{' '}
              <span className="muted small">
                on {c.deviceId} · {USE_TEXT[c.use]}
                {c.enabled ? '' : ' · disabled'}
              </span>
            </li>
          ))}
        </ul>
      )}
      {model.url ? (
        <p className="small">
          <a href={model.url} rel="noreferrer" target="_blank">
            Official download<span className="visually-hidden"> of {model.name}</span>
          </a>
        </p>
      ) : null}
    </li>
  );
}
