import { describe, expect, it } from 'vitest';
import { resolveSourceInput } from '../../src/source/index.js';

describe('resolveSourceInput', () => {
  it('opens lavfi patterns with -f lavfi, not live unless asked (then at native rate)', () => {
    expect(resolveSourceInput('lavfi:testsrc2=size=1280x720:rate=30')).toMatchObject({
      kind: 'lavfi',
      target: 'testsrc2=size=1280x720:rate=30',
      live: false,
      inputArgs: ['-f', 'lavfi'],
    });
    expect(resolveSourceInput('lavfi:testsrc2', { live: true }).inputArgs).toEqual(['-f', 'lavfi', '-re']);
  });

  it('treats paths as files, with -re when forced live', () => {
    for (const path of ['/videos/a.mp4', 'clips/b.mkv', 'c.avi', 'file:/videos/a.mp4']) {
      const input = resolveSourceInput(path);
      expect(input).toMatchObject({ kind: 'file', live: false, inputArgs: [] });
    }
    expect(resolveSourceInput('file:/videos/a.mp4').target).toBe('/videos/a.mp4');
    expect(resolveSourceInput('/videos/a.mp4', { live: true }).inputArgs).toEqual(['-re']);
  });

  it('opens V4L2 devices live with -f v4l2', () => {
    expect(resolveSourceInput('/dev/video0')).toMatchObject({ kind: 'v4l2', target: '/dev/video0', live: true });
    expect(resolveSourceInput('/dev/video2').inputArgs).toEqual(['-f', 'v4l2', '-fflags', 'nobuffer', '-flags', 'low_delay']);
    expect(resolveSourceInput('v4l2:/dev/v4l/by-id/usb-cam').target).toBe('/dev/v4l/by-id/usb-cam');
  });

  it('opens RTSP live over TCP by default, UDP when asked', () => {
    const tcp = resolveSourceInput('rtsp://cam.local/stream1');
    expect(tcp).toMatchObject({ kind: 'rtsp', live: true });
    expect(tcp.inputArgs).toEqual(['-rtsp_transport', 'tcp', '-fflags', 'nobuffer', '-flags', 'low_delay']);
    expect(resolveSourceInput('rtsps://cam.local/s', { rtspTransport: 'udp' }).inputArgs.slice(0, 2)).toEqual([
      '-rtsp_transport',
      'udp',
    ]);
  });

  it('decides liveness of HTTP by what the URL names, and HLS is live', () => {
    expect(resolveSourceInput('https://cdn.example/live/index.m3u8')).toMatchObject({ kind: 'hls', live: true });
    expect(resolveSourceInput('http://cam/video.mjpg')).toMatchObject({ kind: 'http', live: true });
    expect(resolveSourceInput('http://cam/stream')).toMatchObject({ kind: 'http', live: true });
    expect(resolveSourceInput('https://example.org/clip.mp4?sig=1')).toMatchObject({ kind: 'http', live: false });
    expect(resolveSourceInput('https://example.org/clip.mp4', { live: true }).live).toBe(true);
    expect(resolveSourceInput('https://cdn.example/vod.m3u8', { live: false }).live).toBe(false);
    // Pulled streams keep the packets ffmpeg reads while probing: no nobuffer.
    expect(resolveSourceInput('http://cam/stream').inputArgs).toEqual(['-flags', 'low_delay']);
  });

  it('treats other streaming schemes as live', () => {
    for (const url of ['rtmp://host/app/key', 'udp://239.0.0.1:1234', 'srt://host:9000']) {
      expect(resolveSourceInput(url)).toMatchObject({ kind: 'stream', live: true });
    }
  });

  it('redacts credentials in the display form and appends extra input options', () => {
    const input = resolveSourceInput('rtsp://admin:12345@10.0.0.2/live', { extraInputArgs: ['-timeout', '5000000'] });
    expect(input.display).toBe('rtsp://admin:***@10.0.0.2/live');
    expect(input.target).toBe('rtsp://admin:12345@10.0.0.2/live');
    expect(input.inputArgs.slice(-2)).toEqual(['-timeout', '5000000']);
  });

  it('plays loop:<file> forever at its native rate, as a live camera', () => {
    const input = resolveSourceInput('loop:/videos/aisle.mp4');
    expect(input).toMatchObject({ kind: 'file', target: '/videos/aisle.mp4', live: true });
    expect(input.inputArgs).toEqual(['-stream_loop', '-1', '-re']);
  });
});
