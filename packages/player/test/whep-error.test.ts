import { describe, expect, it } from 'vitest';
import { whepErrorForStatus } from '../src/whep-error.js';
import { cameraLiveUrls } from '../src/hub-urls.js';

describe('WHEP errors', () => {
  it('does not retry what a retry cannot fix', () => {
    expect(whepErrorForStatus(401, '')).toMatchObject({ code: 'unauthorized', status: 401, retryable: false });
    expect(whepErrorForStatus(403, 'no')).toMatchObject({ code: 'forbidden', retryable: false, message: 'WHEP answered 403: no' });
    expect(whepErrorForStatus(404, '')).toMatchObject({ code: 'not-found', retryable: false });
    expect(whepErrorForStatus(400, '')).toMatchObject({ code: 'rejected', retryable: false });
    expect(whepErrorForStatus(415, '')).toMatchObject({ code: 'rejected', retryable: false });
  });

  it('retries server errors and rate limits', () => {
    for (const status of [500, 502, 503, 408, 429]) expect(whepErrorForStatus(status, '')).toMatchObject({ code: 'http-error', retryable: true });
  });
});

describe('hub URLs of a camera', () => {
  it('builds the live routes, trimming a trailing slash', () => {
    expect(cameraLiveUrls('https://hub.example.org/', 'dock-3')).toEqual({
      camera: 'https://hub.example.org/api/v1/cameras/dock-3',
      liveToken: 'https://hub.example.org/api/v1/cameras/dock-3/live-token',
      whep: 'https://hub.example.org/api/v1/cameras/dock-3/whep',
      overlay: 'https://hub.example.org/api/v1/cameras/dock-3/live/overlay',
    });
  });
});
