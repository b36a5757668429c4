import { useMemo, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { trackColour, cssColour } from '@sightline/player';
import type { OccupancyQuery } from '@sightline/protocol';
import { hub } from '../api/client.js';
import { Field } from '../ui/field.js';
import { Empty, ErrorState, Loading } from '../ui/states.js';
import { occupancyChartData, occupancyZones, type OccupancyMeasure } from './occupancy-chart-data.js';

const MEASURE_TEXT: Record<OccupancyMeasure, string> = { max: 'peak in each period', mean: 'time-weighted average' };

/**
 * Objects inside each zone over time, derived by the hub from the stored entries and exits (see GET /occupancy):
 * a line per zone, or per class for one zone, showing each bucket's peak or average.
 */
export function OccupancyPanel({ query, tickFormat }: { query: OccupancyQuery; tickFormat: (t: number) => string }) {
  const occupancy = useQuery({
    queryKey: ['occupancy', query],
    queryFn: ({ signal }) => hub.analytics.occupancy(query, { signal }),
    refetchInterval: 30_000,
  });
  const [measure, setMeasure] = useState<OccupancyMeasure>('max');
  const [split, setSplit] = useState('');
  const zones = useMemo(() => (occupancy.data ? occupancyZones(occupancy.data) : []), [occupancy.data]);
  const splitZone = zones.some((z) => z.key === split) ? split : undefined;
  const data = useMemo(() => (occupancy.data ? occupancyChartData(occupancy.data, measure, splitZone) : undefined), [occupancy.data, measure, splitZone]);

  if (occupancy.isPending) return <Loading label="Replaying zone entries and exits…" />;
  if (!occupancy.data || !data) return <ErrorState error={occupancy.error} retry={() => void occupancy.refetch()} />;
  const warmupHours = Math.round(occupancy.data.warmupMs / 3_600_000);
  return (
    <div data-testid="occupancy-panel">
      <form className="filters" aria-label="Occupancy options" onSubmit={(e) => e.preventDefault()}>
        <Field label="Show">
          {(props) => (
            <select {...props} value={measure} onChange={(e) => setMeasure(e.target.value as OccupancyMeasure)}>
              <option value="max">Peak (most at once)</option>
              <option value="mean">Average (time-weighted)</option>
            </select>
          )}
        </Field>
        <Field label="Lines">
          {(props) => (
            <select {...props} value={splitZone ?? ''} onChange={(e) => setSplit(e.target.value)}>
              <option value="">One per zone (all classes)</option>
              {zones.map((z) => (
                <option key={z.key} value={z.key}>
                  {z.name}: one per class
                </option>
              ))}
            </select>
          )}
        </Field>
      </form>
      {data.series.length === 0 ? (
        <Empty title="No zone entries or exits in this period">Occupancy is counted from the events of zones; draw a zone on a camera first.</Empty>
      ) : (
        <figure className="card chart" aria-labelledby="occupancy-caption">
          <ResponsiveContainer width="100%" height={360}>
            <LineChart data={data.rows} title={`Objects inside each zone, ${MEASURE_TEXT[measure]}; the arrow keys step through the periods`}>
              <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" />
              <XAxis dataKey="t" tickFormatter={tickFormat} stroke="var(--muted)" />
              <YAxis allowDecimals={measure === 'mean'} stroke="var(--muted)" label={{ value: 'objects inside', angle: -90, position: 'insideLeft', fill: 'var(--muted)' }} />
              <Tooltip labelFormatter={(t) => new Date(Number(t)).toLocaleString()} contentStyle={{ background: 'var(--surface)', border: '1px solid var(--border)' }} />
              <Legend />
              {data.series.map((name, i) => (
                <Line key={name} type="stepAfter" dataKey={name} stroke={cssColour(trackColour(i + 1))} strokeWidth={2} dot={false} isAnimationActive={false} />
              ))}
            </LineChart>
          </ResponsiveContainer>
          <figcaption id="occupancy-caption" className="muted small">
            Objects inside each zone, {MEASURE_TEXT[measure]}. Counted from {occupancy.data.transitions} zone entries and exits (from {warmupHours} hours before the period, so
            objects already inside count); an exit without its entry never takes a count below zero.
          </figcaption>
          <details className="data-table">
            <summary>Show the numbers</summary>
            <div className="table-scroll">
              <table className="table">
                <caption className="visually-hidden">Occupancy per period</caption>
                <thead>
                  <tr>
                    <th scope="col">Period from</th>
                    {data.series.map((name) => (
                      <th key={name} scope="col">
                        {name}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {data.rows.map((row) => (
                    <tr key={row.t}>
                      <th scope="row">{new Date(row.t!).toLocaleString()}</th>
                      {data.series.map((name) => (
                        <td key={name}>{row[name] ?? 0}</td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
        </figure>
      )}
    </div>
  );
}
