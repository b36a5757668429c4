import type { StoredEvent } from '@sightline/protocol';

/** A live event stream (SSE) client that keeps the `data:` of every message it receives, parsed. */
export class EventStreamClient {
  readonly events: StoredEvent[] = [];
  /** Raw SSE messages (comments included), for checking the framing. */
  readonly messages: string[] = [];
  private readonly abort = new AbortController();
  private pump: Promise<void> = Promise.resolve();

  private constructor() {}

  /** Opens the stream with the key in `?access_token=` (as a browser EventSource must) and waits for its first line. */
  static async open(hubUrl: string, token: string, query: Record<string, string> = {}): Promise<EventStreamClient> {
    const client = new EventStreamClient();
    const params = new URLSearchParams({ ...query, access_token: token });
    const response = await fetch(`${hubUrl}/api/v1/events/stream?${params.toString()}`, { signal: client.abort.signal });
    if (response.status !== 200 || !response.body) throw new Error(`event stream answered ${response.status}: ${await response.text()}`);
    const type = response.headers.get('content-type') ?? '';
    if (!type.startsWith('text/event-stream')) throw new Error(`not an event stream: ${type}`);
    let connected!: () => void;
    const ready = new Promise<void>((resolve) => (connected = resolve));
    client.pump = client.read(response.body.getReader(), connected);
    await ready;
    return client;
  }

  private async read(reader: ReadableStreamDefaultReader<Uint8Array>, connected: () => void): Promise<void> {
    const decoder = new TextDecoder();
    let buffered = '';
    try {
      while (true) {
        const { value, done } = await reader.read();
        if (done) return;
        buffered += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffered.indexOf('\n\n')) >= 0) {
          const message = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          this.messages.push(message);
          connected();
          const data = message
            .split('\n')
            .filter((line) => line.startsWith('data: '))
            .map((line) => line.slice(6))
            .join('\n');
          if (data) this.events.push(JSON.parse(data) as StoredEvent);
        }
      }
    } catch (err) {
      if (!this.abort.signal.aborted) throw err;
    } finally {
      connected();
    }
  }

  /** Resolves when the server ends the stream (or close() aborts it). */
  get ended(): Promise<void> {
    return this.pump.catch(() => undefined);
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.pump.catch(() => undefined);
  }
}
