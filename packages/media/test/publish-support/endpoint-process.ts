// A WHIP endpoint (werift receiving peers) in a process of its own, so that a test can make it vanish the way a
// crashed hub does (SIGKILL: no DTLS close, no HTTP answer) and start it again on the same port.
import { ReceivingPeer } from './receiving-peer.js';
import { WhipTestEndpoint } from './whip-test-endpoint.js';

const [token = '', port = '0'] = process.argv.slice(2);
const endpoint = await WhipTestEndpoint.start<ReceivingPeer>({
  token,
  port: Number(port),
  backend: {
    accept: async (offerSdp) => {
      const { peer, answerSdp } = await ReceivingPeer.answer(offerSdp);
      return { session: peer, answerSdp };
    },
    remove: (peer) => peer.close(),
  },
});
process.send?.({ type: 'ready', url: endpoint.url, port: endpoint.port });
setInterval(() => {
  const packets = endpoint.history.reduce((sum, peer) => sum + peer.received.length, 0);
  process.send?.({ type: 'stats', sessions: endpoint.history.length, packets });
}, 100);
