import type { HostSessionStats } from '@sightline/protocol';
import type { StreamStats } from '@sightline/player';

const fixed = (value: number | undefined, digits = 0, unit = ''): string => (value === undefined ? '—' : `${value.toFixed(digits)}${unit}`);

function bitrate(kbps: number | undefined): string {
  if (kbps === undefined) return '—';
  return kbps >= 1000 ? `${(kbps / 1000).toFixed(1)} Mbit/s` : `${kbps.toFixed(0)} kbit/s`;
}

/** The latency and quality HUD over the picture: what the browser measures, and what the host last reported. */
export function StatsHud({ stats, host }: { stats: StreamStats | undefined; host: HostSessionStats | null | undefined }) {
  const rows: [string, string, string][] = [
    ['rtt', 'RTT', fixed(stats?.rttMs, 0, ' ms')],
    ['fps', 'fps', fixed(stats?.fps, 0)],
    ['bitrate', 'Bitrate', bitrate(stats?.bitrateKbps)],
    ['loss', 'Loss', fixed(stats?.lossPercent, 1, ' %')],
    ['resolution', 'Resolution', stats?.width && stats.height ? `${stats.width}×${stats.height}` : '—'],
    ['jitter', 'Jitter buffer', fixed(stats?.jitterBufferDelayMs, 0, ' ms')],
    ['dropped', 'Dropped', stats ? String(stats.framesDropped) : '—'],
    ['codec', 'Codec', stats?.codec ?? '—'],
  ];
  if (host) {
    rows.push(
      ['host-fps', 'Host fps', fixed(host.fps, 0)],
      ['host-bitrate', 'Host bitrate', `${bitrate(host.bitrateKbps)} / ${bitrate(host.targetBitrateKbps)}`],
      ['host-cpu', 'Host CPU', fixed(host.cpuPercent, 0, ' %')],
    );
  }
  return (
    <section className="stats-hud" aria-label="Stream statistics" data-testid="stats-hud">
      <dl>
        {rows.map(([key, label, value]) => (
          <div key={key} data-stat={key}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
