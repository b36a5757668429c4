import { useEffect, useRef, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import type { Heatmap, HeatmapAnchor } from '@sightline/protocol';
import { hub } from '../api/client.js';
import { Field } from '../ui/field.js';
import { formatTime } from '../ui/format.js';
import { ErrorState, Loading } from '../ui/states.js';
import { countAtLevel, describePosition, heatColour, heatGradientCss, heatLevel, hotSpots } from './heat-colours.js';

const GRIDS = { '32x18': [32, 18], '16x9': [16, 9], '64x36': [64, 36] } as const;
type Grid = keyof typeof GRIDS;

/** Where one camera's objects were over the period, drawn over its latest snapshot, with a colour legend. */
export function HeatmapPanel({ cameraId, cameraName, from, to }: { cameraId: string; cameraName: string; from: number; to: number }) {
  const [label, setLabel] = useState('');
  const [anchor, setAnchor] = useState<HeatmapAnchor>('bottom-center');
  const [grid, setGrid] = useState<Grid>('32x18');
  const [cols, rows] = GRIDS[grid];
  const query = { from, to, anchor, cols, rows, ...(label ? { label } : {}) };
  const heatmap = useQuery({
    queryKey: ['heatmap', cameraId, query],
    queryFn: ({ signal }) => hub.analytics.heatmap(cameraId, query, { signal }),
    refetchInterval: 60_000,
  });
  return (
    <div data-testid="heatmap-panel">
      <form
        className="filters"
        aria-label="Heatmap options"
        onSubmit={(e) => {
          e.preventDefault();
          setLabel(String(new FormData(e.currentTarget).get('heatLabel') ?? '').trim());
        }}
      >
        <Field label="Class" hint="e.g. person; empty: all">
          {(props) => <input {...props} name="heatLabel" defaultValue={label} onBlur={(e) => setLabel(e.target.value.trim())} />}
        </Field>
        <Field label="Point of each object">
          {(props) => (
            <select {...props} value={anchor} onChange={(e) => setAnchor(e.target.value as HeatmapAnchor)}>
              <option value="bottom-center">Where it stands (bottom centre)</option>
              <option value="center">Its centre</option>
            </select>
          )}
        </Field>
        <Field label="Grid">
          {(props) => (
            <select {...props} value={grid} onChange={(e) => setGrid(e.target.value as Grid)}>
              <option value="16x9">Coarse (16 × 9)</option>
              <option value="32x18">Medium (32 × 18)</option>
              <option value="64x36">Fine (64 × 36)</option>
            </select>
          )}
        </Field>
        <button type="submit" className="visually-hidden">
          Apply
        </button>
      </form>
      {heatmap.isPending ? (
        <Loading label="Counting where objects were…" />
      ) : !heatmap.data ? (
        <ErrorState error={heatmap.error} retry={() => void heatmap.refetch()} />
      ) : (
        <HeatmapFigure map={heatmap.data} cameraName={cameraName} />
      )}
    </div>
  );
}

function HeatmapFigure({ map, cameraName }: { map: Heatmap; cameraName: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const element = canvas.current;
    const context = element?.getContext('2d');
    if (!element || !context) return;
    // One pixel per cell; the browser's smoothing when scaling it up blends neighbouring cells.
    element.width = map.cols;
    element.height = map.rows;
    const image = context.createImageData(map.cols, map.rows);
    map.cells.forEach((count, i) => image.data.set(heatColour(heatLevel(count, map.max)), i * 4));
    context.putImageData(image, 0, 0);
  }, [map]);
  const aspect = map.background ? map.background.width / map.background.height : 16 / 9;
  const spots = hotSpots(map.cells, map.cols, map.rows);
  const summary =
    map.total === 0
      ? `No events of ${cameraName} in this period.`
      : `${map.total} events of ${cameraName}. Busiest: ${spots.map((s) => `${describePosition(s.x, s.y)} (${s.count})`).join(', ')}.`;
  return (
    <figure className="card heatmap" aria-labelledby="heatmap-caption">
      <div className="heatmap-stage" style={{ aspectRatio: String(aspect) }}>
        {map.background ? <img src={map.background.url} alt="" className="heatmap-background" /> : <div className="heatmap-background plain" aria-hidden="true" />}
        <canvas ref={canvas} className="heatmap-cells" role="img" aria-label={summary} data-testid="heatmap-canvas" data-total={map.total} data-max={map.max} />
      </div>
      <div className="heatmap-legend" aria-hidden="true">
        <span>0</span>
        <span className="heatmap-scale" style={{ background: heatGradientCss() }} />
        <span>{map.max}</span>
      </div>
      <p className="muted small legend-text">
        Colour: events per cell, from none (clear) through blue and yellow to red for the busiest cell ({map.max}); halfway along the scale is about {countAtLevel(0.5, map.max)}.
      </p>
      <figcaption id="heatmap-caption" className="muted small">
        {summary} Each event counts its object's {map.anchor === 'center' ? 'centre' : 'bottom centre (where it stands)'} when it entered or left a zone, loitered or crossed a line
        {map.truncated ? '; only the newest events of the period are counted' : ''}.{' '}
        {map.background ? `Background: the latest snapshot, ${formatTime(map.background.wallTime)}.` : 'No snapshot of this camera yet: a plain frame.'}
      </figcaption>
    </figure>
  );
}
