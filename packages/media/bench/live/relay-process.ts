/**
 * The process under test: one LiveRelay behind the WHIP/WHEP test server (HTTP on 127.0.0.1), nothing else, so that
 * its process.cpuUsage() is the relay's cost. Answers usage and profiling requests over IPC. The forwarding path comes
 * from SIGHTLINE_RELAY_FORWARDING (the relay's own default), which the bench sets per run.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { LiveRelay } from '../../src/index.js';
import { WhepTestServer } from '../../test/support/whep-test-server.js';
import { CpuProfiler } from './cpu-profile.js';
import { cpuMicros, serveRequests } from './ipc.js';
import type { RelayUsage } from './messages.js';
import { GLASS_VIEWER_PAGE } from './glass-viewer-page.js';

const relay = new LiveRelay({
  id: 'bench-cam',
  ice: { loopbackOnly: true },
  // A loaded relay answers RTCP late; the bench measures loss, not liveness, so slow viewers are not dropped.
  viewerSilenceTimeoutMs: 30_000,
  connectTimeoutMs: 60_000,
});
const server = new WhepTestServer(relay, GLASS_VIEWER_PAGE);
const url = await server.listen();
const loopDelay = monitorEventLoopDelay({ resolution: 5 });
loopDelay.enable();
let profiler: CpuProfiler | undefined;

serveRequests(async (request) => {
  switch (request.cmd) {
    case 'usage': {
      const stats = relay.stats();
      const usage: RelayUsage = {
        cpuMicros: cpuMicros(),
        at: performance.now(),
        viewers: stats.viewers,
        packetsIn: stats.packetsIn,
        packetsForwarded: stats.packetsForwarded,
        retransmissions: stats.retransmissions,
        keyframeRequestsUpstream: stats.keyframeRequestsUpstream,
        viewersOnFastPath: stats.viewersOnFastPath,
        loopDelayP99Ms: loopDelay.percentile(99) / 1e6,
      };
      loopDelay.reset();
      return usage;
    }
    case 'profile-start':
      profiler = new CpuProfiler();
      await profiler.start();
      return null;
    case 'profile-stop': {
      if (!profiler) throw new Error('no profile running');
      const summary = await profiler.stop(request.file);
      profiler = undefined;
      return summary;
    }
    case 'close':
      setTimeout(() => process.exit(0), 50);
      await server.close();
      await relay.close();
      return null;
    default:
      throw new Error(`unknown command ${request.cmd}`);
  }
});
process.on('disconnect', () => process.exit(0));
process.send?.({ ready: url });
