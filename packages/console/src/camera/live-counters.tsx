import { useQuery } from '@tanstack/react-query';
import type { Camera, CountPoint } from '@sightline/protocol';
import { hub } from '../api/client.js';
import { queryKeys } from '../api/query-keys.js';
import { ErrorState, Loading } from '../ui/states.js';

interface Row {
  kind: 'zone' | 'line';
  id: string;
  enter: number;
  exit: number;
  in: number;
  out: number;
}

function startOfToday(): number {
  const d = new Date();
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

function rowsOf(points: readonly CountPoint[], camera: Camera): Row[] {
  const rows = new Map<string, Row>();
  const row = (kind: Row['kind'], id: string) => {
    const key = `${kind}:${id}`;
    let r = rows.get(key);
    if (!r) rows.set(key, (r = { kind, id, enter: 0, exit: 0, in: 0, out: 0 }));
    return r;
  };
  // Every configured zone and line is listed, even before its first event.
  for (const z of camera.config.analytics.zones) row('zone', z.id);
  for (const l of camera.config.analytics.lines) row('line', l.id);
  for (const p of points) {
    if (p.zoneId !== null && p.type === 'zone.enter') row('zone', p.zoneId).enter += p.count;
    if (p.zoneId !== null && p.type === 'zone.exit') row('zone', p.zoneId).exit += p.count;
    if (p.lineId !== null && p.type === 'line.cross') row('line', p.lineId)[p.direction === 'out' ? 'out' : 'in'] += p.count;
  }
  return [...rows.values()];
}

/** Today's counts per zone and line of one camera, kept current by the live event stream. */
export function LiveCounters({ camera }: { camera: Camera }) {
  const params = { cameraId: camera.id, from: startOfToday(), bucket: 'hour' as const };
  const counts = useQuery({
    queryKey: queryKeys.counts(params),
    queryFn: ({ signal }) => hub.counts.get({ ...params, to: Date.now() + 60_000 }, { signal }),
  });
  if (counts.isPending) return <Loading />;
  if (!counts.data) return <ErrorState error={counts.error} retry={() => void counts.refetch()} />;
  const rows = rowsOf(counts.data.points, camera);
  if (rows.length === 0) return <p className="muted">No zones or lines yet.</p>;
  return (
    <table className="table counters" data-testid="live-counters">
      <caption>Today</caption>
      <thead>
        <tr>
          <th scope="col">Zone or line</th>
          <th scope="col">Entered / in</th>
          <th scope="col">Left / out</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={`${r.kind}:${r.id}`}>
            <th scope="row">
              {r.kind === 'zone' ? '⬠' : '╱'} {r.id}
            </th>
            <td>{r.kind === 'zone' ? r.enter : r.in}</td>
            <td>{r.kind === 'zone' ? r.exit : r.out}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
