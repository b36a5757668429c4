import { describe, expect, it } from 'vitest';
import { redactCredentials } from '../../src/source/index.js';

describe('redactCredentials', () => {
  it('hides URL passwords and bare tokens but keeps user names and hosts', () => {
    expect(redactCredentials('rtsp://admin:s3cr3t@10.0.0.5:554/Streaming/101')).toBe('rtsp://admin:***@10.0.0.5:554/Streaming/101');
    expect(redactCredentials('https://tok3n@host/x')).toBe('https://***@host/x');
    expect(redactCredentials('rtsp://user:@host/x')).toBe('rtsp://user:***@host/x');
  });

  it('hides secrets inside longer text, several times', () => {
    const line = '[tcp] Connection to rtsp://a:b@h1/s failed; retry rtsp://c:d@h2/s';
    expect(redactCredentials(line)).toBe('[tcp] Connection to rtsp://a:***@h1/s failed; retry rtsp://c:***@h2/s');
  });

  it('hides secret-looking query parameters', () => {
    expect(redactCredentials('https://h/live.m3u8?token=abc&quality=hd&password=x')).toBe(
      'https://h/live.m3u8?token=***&quality=hd&password=***',
    );
  });

  it('leaves text without credentials alone', () => {
    for (const text of ['/videos/a.mp4', 'rtsp://10.0.0.5/stream', 'lavfi:testsrc2=size=64x64']) {
      expect(redactCredentials(text)).toBe(text);
    }
  });
});
