import { describe, expect, it } from 'vitest';
import {
  classifyFfmpegFailure,
  parseFfmpegLogLine,
  parseShowinfoFrame,
  parseShowinfoTimeBase,
} from '../../src/source/ffmpeg-log.js';

const SHOWINFO =
  '[Parsed_showinfo_1 @ 0x55daecc1cb40] [info] n:  12 pts:  48048 pts_time:4.004   pos:   123456 fmt:yuv420p sar:1/1 s:640x360 i:P iskey:0 type:B ';

describe('ffmpeg log parsing', () => {
  it('splits context, level and message', () => {
    expect(parseFfmpegLogLine('[error] /x.mp4: No such file or directory')).toEqual({
      level: 'error',
      message: '/x.mp4: No such file or directory',
    });
    expect(parseFfmpegLogLine('[h264 @ 0x5581] [warning] mmco: unref short failure')).toEqual({
      context: 'h264',
      level: 'warning',
      message: 'mmco: unref short failure',
    });
    expect(parseFfmpegLogLine('no tags here')).toEqual({ level: 'info', message: 'no tags here' });
  });

  it('reads pts and source size from showinfo frame lines', () => {
    expect(parseShowinfoFrame(parseFfmpegLogLine(SHOWINFO))).toEqual({ pts: 48048, ptsTime: 4.004, width: 640, height: 360 });
    const noPts = SHOWINFO.replace('pts:  48048 pts_time:4.004', 'pts:NOPTS pts_time:NOPTS');
    expect(parseShowinfoFrame(parseFfmpegLogLine(noPts))).toEqual({ pts: null, ptsTime: null, width: 640, height: 360 });
    // Newer ffmpeg adds fields (duration:) between the ones we read.
    const newer = SHOWINFO.replace('pos:', 'duration:1001 duration_time:0.0834 pos:');
    expect(parseShowinfoFrame(parseFfmpegLogLine(newer))?.pts).toBe(48048);
    expect(parseShowinfoFrame(parseFfmpegLogLine('[Parsed_showinfo_1 @ 0x1] [info] color_range:tv'))).toBeNull();
    expect(parseShowinfoFrame(parseFfmpegLogLine('[info] n:   0 pts: 0 pts_time:0 s:1x1 '))).toBeNull();
  });

  it('reads the time base showinfo runs in', () => {
    const line = parseFfmpegLogLine('[Parsed_showinfo_0 @ 0x55] [info] config in time_base: 1/11988, frame_rate: 2997/125');
    expect(parseShowinfoTimeBase(line)).toBeCloseTo(1 / 11988, 12);
    expect(parseShowinfoTimeBase(parseFfmpegLogLine('[Parsed_showinfo_0 @ 0x55] [info] config out time_base: 0/0'))).toBeNull();
  });

  it('classifies failures by the most telling error line', () => {
    expect(classifyFfmpegFailure(['/x.mp4: No such file or directory'])).toEqual({
      code: 'not-found',
      line: '/x.mp4: No such file or directory',
    });
    expect(classifyFfmpegFailure(['x: Invalid data found when processing input']).code).toBe('undecodable');
    expect(classifyFfmpegFailure(['Stream map \'0:v:0\' matches no streams.']).code).toBe('undecodable');
    expect(classifyFfmpegFailure(['method DESCRIBE failed: 401 Unauthorized']).code).toBe('unauthorized');
    expect(classifyFfmpegFailure(['http: HTTP error 404 Not Found', 'Server returned 404 Not Found']).code).toBe('not-found');
    expect(classifyFfmpegFailure(['tcp: Connection to tcp://h:554 failed: Connection refused']).code).toBe('connection-failed');
    expect(classifyFfmpegFailure(['No such filter: \'nope\'']).code).toBe('invalid-options');
    expect(classifyFfmpegFailure(['something odd', 'the last word'])).toEqual({ code: 'ffmpeg-failed', line: 'the last word' });
    expect(classifyFfmpegFailure([])).toEqual({ code: 'ffmpeg-failed' });
  });
});
