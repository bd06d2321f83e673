import http from 'node:http';
import https from 'node:https';
import { checkLiteralHost, guardedLookup } from './address-guard';

export interface PostOptions {
  timeoutMs: number;
  /** Bytes of the answer read at most; the rest is dropped with the connection. */
  maxResponseBytes: number;
  allowPrivate: boolean;
}

export interface PostResult {
  status: number;
  /** The first bytes of the answer, as text. */
  excerpt: string;
}

const EXCERPT_CHARS = 512;

/** One POST per call; no redirect is ever followed (a 3xx is an answer like any other). Keep-alive sockets are reused. */
export function createHttpPoster(options: PostOptions) {
  const lookup = guardedLookup(options.allowPrivate);
  const agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets: 64 }),
    'https:': new https.Agent({ keepAlive: true, maxSockets: 64 }),
  };

  function post(target: string, body: string, headers: Record<string, string>): Promise<PostResult> {
    const url = new URL(target);
    const protocol = url.protocol as 'http:' | 'https:';
    if (protocol !== 'http:' && protocol !== 'https:') return Promise.reject(new Error(`unsupported URL scheme ${url.protocol}`));
    try {
      checkLiteralHost(url.hostname, options.allowPrivate);
    } catch (e) {
      return Promise.reject(e as Error);
    }
    const payload = Buffer.from(body);
    const readable = (e: Error) =>
      e.name === 'AbortError' || e.name === 'TimeoutError' ? new Error(`no answer within ${options.timeoutMs} ms`) : e;
    return new Promise((resolve, reject) => {
      const request = (protocol === 'https:' ? https : http).request(
        url,
        {
          method: 'POST',
          agent: agents[protocol],
          lookup,
          signal: AbortSignal.timeout(options.timeoutMs),
          headers: { 'content-type': 'application/json', 'content-length': String(payload.length), ...headers },
        },
        (response) => {
          const chunks: Buffer[] = [];
          let size = 0;
          const done = () =>
            resolve({ status: response.statusCode ?? 0, excerpt: Buffer.concat(chunks).toString('utf8').slice(0, EXCERPT_CHARS) });
          response.on('data', (chunk: Buffer) => {
            if (size >= options.maxResponseBytes) return;
            chunks.push(chunk.subarray(0, options.maxResponseBytes - size));
            size += chunk.length;
            // Enough read: the status is known, the rest of an oversized answer is not worth the memory.
            if (size >= options.maxResponseBytes) {
              response.destroy();
              done();
            }
          });
          response.on('end', done);
          response.on('error', (e) => reject(readable(e)));
          // A connection that closes mid-answer (or an abort after the headers) may end with neither
          // 'end' nor 'error': settle anyway, or the attempt would stay in flight for ever.
          response.on('close', () =>
            reject(new Error(response.complete ? 'answer closed' : 'the connection closed before the answer ended')),
          );
        },
      );
      request.on('error', (e: Error) => reject(readable(e)));
      request.end(payload);
    });
  }

  return {
    post,
    close() {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
}

export type HttpPoster = ReturnType<typeof createHttpPoster>;
