import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../test/support/chromium.js';


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
    const browser = await launchChromium();
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
