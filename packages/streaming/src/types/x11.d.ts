// The parts of the `x11` package (a pure-JS X11 client, CommonJS, untyped) that this package uses.
declare module 'x11' {
  import type { EventEmitter } from 'node:events';
  import type { Duplex } from 'node:stream';

  export interface XScreen {
    root: number;
    pixel_width: number;
    pixel_height: number;
    white_pixel: number;
    black_pixel: number;
    root_depth: number;
  }

  export interface XDisplay {
    client: XClient;
    screen: XScreen[];
    min_keycode: number;
    max_keycode: number;
  }

  export interface XTestExtension {
    KeyPress: number;
    KeyRelease: number;
    ButtonPress: number;
    ButtonRelease: number;
    MotionNotify: number;
    FakeInput(type: number, detail: number, time: number, window: number, x: number, y: number): void;
    GetVersion(major: number, minor: number, callback: (error: Error | null, version: [number, number]) => void): void;
  }

  export interface XClient extends EventEmitter {
    GetKeyboardMapping(first: number, count: number, callback: (error: Error | null, rows: number[][]) => void): void;
    require(name: 'xtest', callback: (error: Error | null, ext: XTestExtension) => void): void;
    ping(callback: (error: Error | null, ms: number) => void): void;
    terminate(): void;
    AllocID(): number;
    CreateWindow(id: number, parent: number, x: number, y: number, width: number, height: number, ...rest: unknown[]): void;
    MapWindow(id: number): void;
  }

  export interface CreateClientOptions {
    display?: string;
    auth?: { name: string; data: string };
    disableBigRequests?: boolean;
    shm?: boolean | 'off';
    stream?: Duplex;
  }

  export function createClient(options: CreateClientOptions, callback: (error: Error | undefined, display: XDisplay) => void): XClient;

  const x11: { createClient: typeof createClient };
  export default x11;
}
