import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';

export interface PublishOptions {
  /** Encoder options; default low-latency H.264 with a keyframe every 10 frames and no B-frames. */
  encoderArgs?: readonly string[];
  /** Longest wait for the server to relay the first packet. Default 10 s. */
  readyTimeoutMs?: number;
}

/** An ffmpeg pushing a stream into the test server. */
export interface RtspPublisher {
  readonly path: string;
  /** The running ffmpeg's pid, or null while cut or stopped. */
  readonly pid: number | null;
  /** Kill ffmpeg abruptly (no TEARDOWN) and drop every reader of the path, as a camera losing power would. */
  cut(): Promise<void>;
  /** Publish again after a cut; resolves once the server relays packets. */
  restart(): Promise<void>;
  /** Cut for good. */
  stop(): Promise<void>;
}

export interface PublisherParams {
  path: string;
  /** Where ffmpeg publishes, with credentials when the server wants them. */
  url: string;
  inputArgs: readonly string[];
  options: PublishOptions;
  isRelaying: () => boolean;
  dropPath: () => void;
}

const DEFAULT_ENCODER_ARGS = [
  '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '10', '-bf', '0', '-pix_fmt', 'yuv420p',
];
const POLL_MS = 10;

type Child = ChildProcessByStdio<null, null, Readable>;

export async function spawnRtspPublisher(params: PublisherParams): Promise<RtspPublisher> {
  const { path, url, inputArgs, options, isRelaying, dropPath } = params;
  const readyTimeoutMs = options.readyTimeoutMs ?? 10_000;
  let child: Child | null = null;
  let stopped = false;

  async function launch(): Promise<void> {
    const args = [
      '-hide_banner', '-nostdin', '-loglevel', 'error',
      '-re', ...inputArgs,
      '-an', ...(options.encoderArgs ?? DEFAULT_ENCODER_ARGS),
      '-f', 'rtsp', '-rtsp_transport', 'tcp', url,
    ];
    const started: Child = spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    child = started;
    let stderr = '';
    started.stderr.setEncoding('utf8');
    started.stderr.on('data', (text: string) => (stderr = (stderr + text).slice(-2000)));
    let exited = false;
    started.once('exit', () => (exited = true));
    const deadline = Date.now() + readyTimeoutMs;
    while (!isRelaying()) {
      if (exited || started.pid === undefined || Date.now() > deadline) {
        await kill(started);
        const why = exited ? 'exited' : started.pid === undefined ? 'could not start' : `timed out after ${readyTimeoutMs} ms`;
        throw new Error(`RTSP publisher for /${path} ${why}: ${stderr.trim() || '(no output)'}`);
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  async function kill(target: Child): Promise<void> {
    if (target.exitCode === null && target.signalCode === null && target.pid !== undefined) {
      const exited = new Promise((resolve) => target.once('exit', resolve));
      target.kill('SIGKILL');
      await exited;
    }
    if (child === target) child = null;
  }

  async function cut(): Promise<void> {
    if (child) await kill(child);
    dropPath();
  }

  await launch();
  return {
    path,
    get pid() {
      return child?.pid ?? null;
    },
    cut,
    async restart() {
      if (stopped) throw new Error(`RTSP publisher for /${path} was stopped`);
      await cut();
      await launch();
    },
    async stop() {
      stopped = true;
      await cut();
    },
  };
}
