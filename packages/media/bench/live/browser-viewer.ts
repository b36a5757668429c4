import { chromium, type Browser, type Page } from 'playwright-core';

/** The flags that let headless Chromium do WebRTC on loopback here (as in test/browser.test.ts). */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--allow-loopback-in-peer-connection',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
];

export interface JoinTiming {
  answeredMs: number;
  connectedMs: number | null;
  decodedMs: number;
  presentedMs: number | null;
}

export interface PresentedFrame {
  rtpTimestamp: number;
  receiveWallMs: number | null;
  presentationWallMs: number;
  expectedDisplayWallMs: number;
  width: number;
  height: number;
}

interface BenchPage {
  benchJoin(url: string): Promise<JoinTiming>;
  benchFrames(): PresentedFrame[];
  benchLeave(): Promise<void>;
}

/** Real headless Chromium on the relay's bench page. */
export class BrowserViewer {
  private constructor(
    private readonly browser: Browser,
    private readonly page: Page,
  ) {}

  static async open(baseUrl: string): Promise<BrowserViewer> {
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
    const page = await browser.newPage();
    page.on('pageerror', (error) => console.error('[page]', error));
    await page.goto(baseUrl);
    return new BrowserViewer(browser, page);
  }

  join(): Promise<JoinTiming> {
    return this.page.evaluate(() => (globalThis as unknown as BenchPage).benchJoin('/whep'));
  }

  frames(): Promise<PresentedFrame[]> {
    return this.page.evaluate(() => (globalThis as unknown as BenchPage).benchFrames());
  }

  leave(): Promise<void> {
    return this.page.evaluate(() => (globalThis as unknown as BenchPage).benchLeave());
  }

  async close(): Promise<void> {
    await this.browser.close();
  }
}
