// Runs an RtpEncoder in a process of its own and reports ffmpeg's pid, so that a test can kill this process
// outright (SIGKILL: no exit handlers run) and check that ffmpeg does not outlive it.
import { RtpEncoder } from '../../src/publish/index.js';

const encoder = new RtpEncoder({ source: 'lavfi:testsrc2=size=320x240:rate=15', gopSeconds: 1 });
await encoder.start();
process.send?.({ pid: encoder.pid });
setInterval(() => undefined, 60_000);
