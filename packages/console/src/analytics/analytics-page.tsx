import { useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { trackColour, cssColour } from '@sightline/player';
import { hub } from '../api/client.js';
import { queryKeys } from '../api/query-keys.js';
import { useCameras } from '../fleet/use-fleet.js';
import { Field } from '../ui/field.js';
import { Empty, ErrorState, Loading } from '../ui/states.js';
import { Tabs } from '../ui/tabs.js';
import { countsCsv, downloadText } from './csv.js';
import { chartData, type GroupBy } from './series.js';
import { OccupancyPanel } from './occupancy-panel.js';
import { HeatmapPanel } from './heatmap-panel.js';
import './analytics.css';

const VIEWS = [
  { key: 'counts', label: 'Counts' },
  { key: 'occupancy', label: 'Occupancy' },
  { key: 'heatmap', label: 'Heatmap' },
] as const;
type View = (typeof VIEWS)[number]['key'];

const RANGES = {
  '15m': { ms: 900_000, bucket: 'minute' },
  '1h': { ms: 3_600_000, bucket: 'minute' },
  '24h': { ms: 86_400_000, bucket: 'hour' },
  '7d': { ms: 7 * 86_400_000, bucket: 'hour' },
  '30d': { ms: 30 * 86_400_000, bucket: 'day' },
} as const;
type Range = keyof typeof RANGES;

/** Rounded to the minute, so the query key (and the cache) does not change on every render. */
const nowMinute = () => Math.ceil(Date.now() / 60_000) * 60_000;

/** The chosen view, camera and period are in the address, so a chart can be bookmarked and shared. */
export function AnalyticsPage() {
  const cameras = useCameras();
  const [search, setSearch] = useSearchParams();
  const viewParam = search.get('view');
  const view: View = VIEWS.some((v) => v.key === viewParam) ? (viewParam as View) : 'counts';
  const cameraId = search.get('cameraId') ?? '';
  const rangeParam = search.get('range');
  const range: Range = rangeParam && Object.hasOwn(RANGES, rangeParam) ? (rangeParam as Range) : '1h';
  // From the address bar as it is now, not this render's parameters (React Router's functional form does not queue
  // either): two changes in a row, a period and then a tab, must both stick.
  const setParam = (key: string, value: string, fallback: string) => {
    const next = new URLSearchParams(window.location.search);
    if (value === fallback) next.delete(key);
    else next.set(key, value);
    setSearch(next, { replace: true });
  };
  const [by, setBy] = useState<GroupBy>('zone');
  const to = nowMinute();
  const params = { from: to - RANGES[range].ms, to, bucket: RANGES[range].bucket, ...(cameraId ? { cameraId } : {}) };
  const counts = useQuery({ queryKey: queryKeys.counts(params), queryFn: ({ signal }) => hub.counts.get(params, { signal }), enabled: view === 'counts' });
  // A heatmap is of one camera: the chosen one, else the first.
  const heatCamera = (cameras.data ?? []).find((c) => c.id === cameraId) ?? (cameraId ? undefined : cameras.data?.[0]);
  const data = useMemo(() => (counts.data ? chartData(counts.data.points, by) : undefined), [counts.data, by]);
  const tickFormat = (t: number) => new Date(t).toLocaleString(undefined, range === '15m' || range === '1h' || range === '24h' ? { timeStyle: 'short' } : { dateStyle: 'short' });

  const panel =
    view === 'occupancy' ? (
      <OccupancyPanel query={{ from: params.from, to: params.to, bucket: params.bucket, ...(cameraId ? { cameraId } : {}) }} tickFormat={tickFormat} />
    ) : view === 'heatmap' ? (
      cameras.isPending ? (
        <Loading />
      ) : heatCamera ? (
        <>
          {cameraId ? null : <p className="muted small">A heatmap shows one camera: {heatCamera.config.name ?? heatCamera.id} (choose another above).</p>}
          <HeatmapPanel cameraId={heatCamera.id} cameraName={heatCamera.config.name ?? heatCamera.id} from={params.from} to={params.to} />
        </>
      ) : (
        <Empty title="No camera to show">Add a camera on the Fleet page first.</Empty>
      )
    ) : counts.isPending ? (
      <Loading />
    ) : !data ? (
      <ErrorState error={counts.error} retry={() => void counts.refetch()} />
    ) : data.rows.length === 0 ? (
      <Empty title="Nothing counted in this period" />
    ) : (
      <figure className="card chart" aria-label={`Counts by ${by}`}>
        <ResponsiveContainer width="100%" height={360}>
          <BarChart data={data.rows} title={`Counts by ${by}, per ${RANGES[range].bucket}; the arrow keys step through the periods`}>
            <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" />
            <XAxis dataKey="t" tickFormatter={tickFormat} stroke="var(--muted)" />
            <YAxis allowDecimals={false} stroke="var(--muted)" />
            <Tooltip labelFormatter={(t) => new Date(Number(t)).toLocaleString()} contentStyle={{ background: 'var(--surface)', border: '1px solid var(--border)' }} />
            <Legend />
            {data.series.map((name, i) => (
              <Bar key={name} dataKey={name} stackId="counts" fill={cssColour(trackColour(i + 1))} isAnimationActive={false} />
            ))}
          </BarChart>
        </ResponsiveContainer>
        <figcaption className="muted small">{counts.data?.points.length} count rows</figcaption>
      </figure>
    );

  return (
    <section className="page" aria-labelledby="analytics-title">
      <div className="page-header">
        <h1 id="analytics-title">Analytics</h1>
        {view === 'counts' ? (
          <button
            type="button"
            className="button"
            disabled={!counts.data}
            onClick={() => counts.data && downloadText(`sightline-counts-${range}${cameraId ? `-${cameraId}` : ''}.csv`, countsCsv(counts.data.points))}
          >
            Export CSV
          </button>
        ) : null}
      </div>
      <form className="filters" aria-label="Chart options" onSubmit={(e) => e.preventDefault()}>
        <Field label="Camera">
          {(props) => (
            <select {...props} value={cameraId} onChange={(e) => setParam('cameraId', e.target.value, '')}>
              <option value="">All cameras</option>
              {(cameras.data ?? []).map((c) => (
                <option key={c.id} value={c.id}>
                  {c.config.name ?? c.id}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Period">
          {(props) => (
            <select {...props} value={range} onChange={(e) => setParam('range', e.target.value, '1h')}>
              <option value="15m">Last 15 minutes (per minute)</option>
              <option value="1h">Last hour (per minute)</option>
              <option value="24h">Last 24 hours (per hour)</option>
              <option value="7d">Last 7 days (per hour)</option>
              <option value="30d">Last 30 days (per day)</option>
            </select>
          )}
        </Field>
        {view === 'counts' ? (
          <Field label="Count by">
            {(props) => (
              <select {...props} value={by} onChange={(e) => setBy(e.target.value as GroupBy)}>
                <option value="zone">Zone (entries)</option>
                <option value="line">Line (crossings by direction)</option>
                <option value="class">Class (all events)</option>
              </select>
            )}
          </Field>
        ) : null}
      </form>
      <Tabs id="analytics" label="Analytics views" tabs={VIEWS} selected={view} onSelect={(key) => setParam('view', key, 'counts')}>
        {panel}
      </Tabs>
    </section>
  );
}
