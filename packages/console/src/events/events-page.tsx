import { useMemo, useRef, useState } from 'react';
import { useSearchParams } from 'react-router';
import type { EventFilter } from '@sightline/protocol';
import { useCameras } from '../fleet/use-fleet.js';
import { EventList } from './event-list.js';
import { Field } from '../ui/field.js';
import { downloadText } from '../analytics/csv.js';
import { errorMessage } from '../api/errors.js';
import { EVENTS_EXPORT_MAX, eventsCsv, fetchEventsForExport } from './events-csv.js';
import './events.css';

const TYPES = ['zone.enter', 'zone.exit', 'zone.loiter', 'line.cross'] as const;
type EventType = (typeof TYPES)[number];

/** datetime-local value (local time, no zone) to Unix ms; undefined when empty or not a date. */
function parseLocal(value: string | null): number | undefined {
  if (!value) return undefined;
  const ms = new Date(value).getTime();
  return Number.isFinite(ms) ? ms : undefined;
}

/** The filter lives in the URL, so a filtered list can be bookmarked, shared and reloaded. */
function filterFrom(params: URLSearchParams): EventFilter {
  const type = params.get('type');
  const filter: EventFilter = {};
  const text = (key: 'cameraId' | 'label' | 'zoneId' | 'lineId') => {
    const v = params.get(key)?.trim();
    if (v) filter[key] = v;
  };
  text('cameraId');
  text('label');
  text('zoneId');
  text('lineId');
  if (type && (TYPES as readonly string[]).includes(type)) filter.type = type as EventType;
  const from = parseLocal(params.get('from'));
  const to = parseLocal(params.get('to'));
  if (from !== undefined) filter.from = from;
  if (to !== undefined) filter.to = to;
  return filter;
}

export function EventsPage() {
  const [params, setParams] = useSearchParams();
  const filter = useMemo(() => filterFrom(params), [params]);
  const cameras = useCameras();
  const set = (key: string) => (e: { target: { value: string } }) => {
    const next = new URLSearchParams(params);
    if (e.target.value) next.set(key, e.target.value);
    else next.delete(key);
    setParams(next, { replace: true });
  };
  return (
    <section className="page" aria-labelledby="events-title">
      <div className="page-header">
        <h1 id="events-title">Events</h1>
        <span className="muted small header-note">Live: new events appear at the top.</span>
        <ExportEvents filter={filter} />
      </div>
      <form
        className="filters"
        role="search"
        aria-label="Filter events"
        onSubmit={(e) => {
          // Enter in a text filter applies the text filters at once (they otherwise apply when leaving the field).
          e.preventDefault();
          const data = new FormData(e.currentTarget);
          const next = new URLSearchParams(params);
          for (const key of ['label', 'zoneId', 'lineId']) {
            const value = String(data.get(key) ?? '').trim();
            if (value) next.set(key, value);
            else next.delete(key);
          }
          setParams(next, { replace: true });
        }}
      >
        <Field label="Camera">
          {(props) => (
            <select {...props} name="cameraId" value={params.get('cameraId') ?? ''} onChange={set('cameraId')}>
              <option value="">All cameras</option>
              {(cameras.data ?? []).map((c) => (
                <option key={c.id} value={c.id}>
                  {c.config.name ?? c.id}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Type">
          {(props) => (
            <select {...props} name="type" value={params.get('type') ?? ''} onChange={set('type')}>
              <option value="">All types</option>
              {TYPES.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Class">{(props) => <input {...props} name="label" placeholder="person" defaultValue={params.get('label') ?? ''} onBlur={set('label')} />}</Field>
        <Field label="Zone">{(props) => <input {...props} name="zoneId" defaultValue={params.get('zoneId') ?? ''} onBlur={set('zoneId')} />}</Field>
        <Field label="Line">{(props) => <input {...props} name="lineId" defaultValue={params.get('lineId') ?? ''} onBlur={set('lineId')} />}</Field>
        <Field label="From">{(props) => <input {...props} name="from" type="datetime-local" value={params.get('from') ?? ''} onChange={set('from')} />}</Field>
        <Field label="To">{(props) => <input {...props} name="to" type="datetime-local" value={params.get('to') ?? ''} onChange={set('to')} />}</Field>
        <button type="submit" className="visually-hidden">
          Apply filters
        </button>
      </form>
      <EventList filter={filter} />
    </section>
  );
}

type ExportState = { state: 'idle' } | { state: 'running'; count: number } | { state: 'done'; count: number; truncated: boolean } | { state: 'failed'; error: unknown };

/** Downloads every event of the current filter as CSV, fetched page by page; a second click cancels. */
function ExportEvents({ filter }: { filter: EventFilter }) {
  const [state, setState] = useState<ExportState>({ state: 'idle' });
  const abort = useRef<AbortController | undefined>(undefined);
  const run = async () => {
    if (abort.current) {
      abort.current.abort();
      return;
    }
    const controller = new AbortController();
    abort.current = controller;
    setState({ state: 'running', count: 0 });
    try {
      const { events, truncated } = await fetchEventsForExport(filter, (count) => setState({ state: 'running', count }), controller.signal);
      const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
      downloadText(`sightline-events-${filter.cameraId ? `${filter.cameraId}-` : ''}${stamp}.csv`, eventsCsv(events));
      setState({ state: 'done', count: events.length, truncated });
    } catch (error) {
      setState(controller.signal.aborted ? { state: 'idle' } : { state: 'failed', error });
    } finally {
      abort.current = undefined;
    }
  };
  const running = state.state === 'running';
  return (
    <div className="actions">
      <span className="muted small" role="status" aria-live="polite" data-testid="events-export-status">
        {state.state === 'running'
          ? `Exporting… ${state.count} events`
          : state.state === 'done'
            ? `Exported ${state.count} events${state.truncated ? ` (the newest ${EVENTS_EXPORT_MAX}; narrow the filter for the rest)` : ''}.`
            : state.state === 'failed'
              ? `Export failed: ${errorMessage(state.error)}`
              : ''}
      </span>
      <button type="button" className="button" onClick={() => void run()} title="Every event matching the filters, as CSV">
        {running ? 'Cancel export' : 'Export CSV'}
      </button>
    </div>
  );
}
