import type { Application } from '../../src/app/index';
import type { RequestContext } from '../../src/domain/context';
import { countCommands } from '../../src/db/commands';
import { postDirectly } from '../baselines/plain-poster';
import { startHelper } from '../lib/proc';
import { ratio } from '../lib/stats';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Deliveries per second through the outbox (enqueue, claim, sign, post, record) to a loopback
 * receiver in its own process, beside a plain HTTP client posting the same bodies to the same
 * receiver at the same concurrency. Run in the server process, like the worker it measures.
 */
export async function outboxScenario(app: Application, ctx: () => RequestContext, appId: string, n: number) {
  const receiver = startHelper('drivers/receiver.js', {});
  const { url } = await receiver.ready;
  const count = async () => {
    receiver.send('count');
    return (await receiver.next()) as { received: number; duplicates: number };
  };
  try {
    await app.services.gateways.set(ctx(), appId, { channel: 'BENCH', url: `${url}/gateway` });
    const bodies = Array.from({ length: n }, (_, i) =>
      JSON.stringify({ channel: 'BENCH', destination: `+1555${i}`, payload: { text: `code ${i}` } }),
    );
    // Baseline first, then the outbox; the same bodies, the same receiver.
    await postDirectly(`${url}/warmup`, bodies.slice(0, 200), 32);
    const plain = await postDirectly(`${url}/plain`, bodies, app.config.outbox.concurrency);
    receiver.send('reset');

    const commands = countCommands(app.db.connection);
    const started = process.hrtime.bigint();
    // Enqueued as events would enqueue them: in batches of 100.
    for (let i = 0; i < n; i += 100) {
      await app.services.outbox.enqueue(
        bodies
          .slice(i, i + 100)
          .map((body, k) => ({ appId, channel: 'BENCH', destination: `+1555${i + k}`, body, idempotencyKey: `bench:${i + k}` })),
      );
    }
    const enqueueSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    let got = await count();
    while (got.received < n) {
      await sleep(20);
      got = await count();
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    await sleep(1_000); // outcomes still being written are counted too
    commands.stop();
    const outboxPerSecond = Math.round(n / seconds);
    const total = Object.values(commands.byName).reduce((s, v) => s + v, 0);
    return {
      deliveries: n,
      concurrency: app.config.outbox.concurrency,
      outbox: {
        seconds: Math.round(seconds * 1000) / 1000,
        perSecond: outboxPerSecond,
        enqueueSeconds: Math.round(enqueueSeconds * 1000) / 1000,
        duplicates: got.duplicates,
      },
      plainHttp: plain,
      ratio: ratio(outboxPerSecond, plain.perSecond),
      databaseCommandsPerDelivery: Math.round((total / n) * 100) / 100,
      databaseCommands: commands.byName,
      target: '>= 0.5 x plain HTTP client',
    };
  } finally {
    receiver.kill();
  }
}
