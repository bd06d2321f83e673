import http from 'node:http';

/**
 * The baseline of the outbox scenario: a plain HTTP client posting the same bodies straight to the
 * receiver, `concurrency` at a time over keep-alive connections, no database, no signing, no retries.
 */
export async function postDirectly(url: string, bodies: string[], concurrency: number): Promise<{ seconds: number; perSecond: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const post = (body: string) =>
    new Promise<void>((resolve, reject) => {
      const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`))));
      });
      req.on('error', reject);
      req.end(body);
    });
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < bodies.length) await post(bodies[next++]!);
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  agent.destroy();
  return { seconds: Math.round(seconds * 1000) / 1000, perSecond: Math.round(bodies.length / seconds) };
}
