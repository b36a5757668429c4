/**
 * Resolves when the peer connection has gathered all its ICE candidates, or after `timeoutMs`: WHEP here is
 * trickle-less, so the offer must carry the candidates. A slow STUN or TURN server only costs its candidates, not
 * the connection.
 */
export function iceGatheringDone(pc: RTCPeerConnection, timeoutMs: number): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      pc.removeEventListener('icegatheringstatechange', onChange);
      pc.removeEventListener('icecandidate', onCandidate);
      resolve();
    };
    const onChange = () => {
      if (pc.iceGatheringState === 'complete') done();
    };
    // A null candidate also marks the end (older browsers fire it without the state change).
    const onCandidate = (event: RTCPeerConnectionIceEvent) => {
      if (!event.candidate) done();
    };
    const timer = setTimeout(done, timeoutMs);
    pc.addEventListener('icegatheringstatechange', onChange);
    pc.addEventListener('icecandidate', onCandidate);
  });
}
