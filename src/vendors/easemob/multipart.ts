import { Readable } from 'node:stream';
import busboy from 'busboy';
import type { FastifyInstance } from 'fastify';
import { easemobError, illegalArgument } from './errors';

/** A multipart body as the parser hands it over: bytes, parsed in the route (which knows the limits). */
export interface MultipartBody {
  multipart: Buffer;
  contentType: string;
}
export const isMultipart = (b: unknown): b is MultipartBody =>
  !!b && typeof b === 'object' && Buffer.isBuffer((b as MultipartBody).multipart);

/** Room for the multipart framing and small fields around the file itself. */
const FRAMING_BYTES = 64 * 1024;

/** A body past this many bytes (or 8 times the limit) is not read to its end: the connection is cut instead. */
const DRAIN_BYTES = 32 * 1024 * 1024;

/**
 * Multipart bodies on this scope are read as bytes, bounded by the largest file the domain accepts.
 * A body over the bound is read on and dropped (up to DRAIN_BYTES or 8 times the bound) before the 413
 * goes out: a client still sending when the connection closes sees a broken pipe, not the answer.
 */
export function acceptMultipart(fastify: FastifyInstance, maxFileBytes: number) {
  const limit = maxFileBytes + FRAMING_BYTES;
  // Fastify's own limit would answer early and close the connection under a sending client.
  const tooLarge = () => Object.assign(new Error('request body too large'), { code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 });
  fastify.addContentTypeParser('multipart/form-data', (req, payload, done) => {
    const parts: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (err: Error | null, body?: MultipartBody) => {
      if (settled) return;
      settled = true;
      done(err, body);
    };
    payload.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void parts.push(chunk);
      parts.length = 0;
      if (size > Math.max(limit * 8, DRAIN_BYTES)) {
        finish(tooLarge());
        payload.destroy();
      }
    });
    payload.on('end', () =>
      finish(size > limit ? tooLarge() : null, { multipart: Buffer.concat(parts), contentType: String(req.headers['content-type']) }),
    );
    payload.on('error', (e) => finish(e));
  });
}

/** The first file part of a multipart body (the SDKs name it `file`). */
export function firstFile(body: MultipartBody, maxBytes: number): Promise<{ filename: string; mimeType: string; data: Buffer }> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: { 'content-type': body.contentType }, limits: { files: 1, fileSize: maxBytes, fields: 32, parts: 40 } });
    } catch {
      return reject(illegalArgument('the body must be multipart/form-data with a boundary'));
    }
    let found: { filename: string; mimeType: string; data: Buffer } | null = null;
    parser.on('file', (_name, stream, info) => {
      const parts: Buffer[] = [];
      stream.on('data', (d: Buffer) => parts.push(d));
      stream.on('limit', () => reject(easemobError(413, 'request_entity_too_large', `a file may have at most ${maxBytes} bytes`)));
      stream.on('end', () => (found ??= { filename: info.filename ?? 'file', mimeType: info.mimeType, data: Buffer.concat(parts) }));
    });
    parser.on('error', () => reject(illegalArgument('the multipart body is malformed')));
    parser.on('close', () => (found ? resolve(found) : reject(illegalArgument('no file in the form: send it as the field "file"'))));
    Readable.from([body.multipart]).pipe(parser);
  });
}
