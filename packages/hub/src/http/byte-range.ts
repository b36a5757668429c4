import { createReadStream } from 'node:fs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';

/** One `bytes=` range, as browsers send for <video> (`bytes=0-`, `bytes=1000-1999`, `bytes=-500`). */
const RangeHeaderSchema = z
  .string()
  .max(200)
  .regex(/^bytes=(\d*)-(\d*)$/);

export type ByteRange = { start: number; end: number } | 'unsatisfiable' | undefined;

/**
 * The byte range a request asks for in a body of `size` bytes: undefined for the whole body (no header, or one this
 * parser does not serve, such as several ranges, which RFC 9110 lets a server ignore), 'unsatisfiable' when it starts
 * past the end. `end` is inclusive, as in Content-Range.
 */
export function parseByteRange(header: string | undefined, size: number): ByteRange {
  const parsed = RangeHeaderSchema.safeParse(header);
  if (!parsed.success) return undefined;
  const [, first = '', last = ''] = /^bytes=(\d*)-(\d*)$/.exec(parsed.data) ?? [];
  if (first === '' && last === '') return undefined;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (start >= size) return 'unsatisfiable';
  if (end < start) return undefined;
  return { start, end };
}

/** Sends a file with `Accept-Ranges`, answering a Range request with 206 (or 416), so a <video> element can seek. */
export function sendFileWithRanges(
  request: FastifyRequest,
  reply: FastifyReply,
  file: { path: string; bytes: number; contentType: string; disposition?: string },
): FastifyReply {
  void reply.header('accept-ranges', 'bytes').header('cache-control', 'private, no-cache').type(file.contentType);
  if (file.disposition) void reply.header('content-disposition', file.disposition);
  const range = parseByteRange(request.headers.range, file.bytes);
  if (range === 'unsatisfiable') {
    return reply
      .status(416)
      .header('content-range', `bytes */${file.bytes}`)
      .type('application/json')
      .send({ error: { code: 'range_not_satisfiable', message: `the range starts past the end of the ${file.bytes}-byte body` } });
  }
  if (!range) return reply.status(200).header('content-length', file.bytes).send(createReadStream(file.path));
  return reply
    .status(206)
    .header('content-range', `bytes ${range.start}-${range.end}/${file.bytes}`)
    .header('content-length', range.end - range.start + 1)
    .send(createReadStream(file.path, { start: range.start, end: range.end }));
}
