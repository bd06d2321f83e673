import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

/** A graphql-ws client collecting the payloads of one subscription. */
export function subscribe(wsUrl: string, token: string, query: string, variables: Record<string, unknown> = {}) {
  const client: Client = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
    lazy: false,
    // A server-side close (revocation, removal) also reaches the sink; don't print it as well.
    onNonLazyError: () => undefined,
  });
  const received: any[] = [];
  const errors: unknown[] = [];
  let completed = false;
  const unsubscribe = client.subscribe(
    { query, variables },
    {
      next: (v) => received.push(v),
      error: (e) => errors.push(e),
      complete: () => (completed = true),
    },
  );
  return {
    received,
    errors,
    isCompleted: () => completed,
    /** Waits until `n` payloads arrived (or fails after `ms`). */
    async waitFor(n: number, ms = 20_000) {
      const deadline = Date.now() + ms;
      while (received.length < n) {
        if (errors.length) throw new Error(`subscription failed: ${JSON.stringify(errors[0])}`);
        if (Date.now() > deadline) throw new Error(`only ${received.length} of ${n} events arrived`);
        await new Promise((r) => setTimeout(r, 10));
      }
      return received;
    },
    async close() {
      unsubscribe();
      await client.dispose();
    },
  };
}

type InProcess = { app: { services: { events: { subscriptionCount(): number } } } };

/**
 * Opens subscription(s) and waits until the server (in this process, or a cluster instance through its
 * metrics) listens for them, instead of a fixed pause that
 * a busy machine can outlast. The server's event-bus subscriptions must grow by each stream's own
 * and, for a stream on a new socket (the `subscribe` helper opens one per stream), that socket's
 * watch on its token's revocation, which registers first: counting only one per stream returned
 * before the stream itself listened. The count is taken over the lowest seen (an earlier test's
 * streams may still be closing). Past `ms` it goes on anyway (the caller's own wait for events
 * then says what is missing).
 */
export async function listening<S>(
  server: InProcess | { busListeners(): Promise<number> },
  open: () => S,
  streams = 1,
  o: { sameSocket?: boolean; ms?: number } = {},
): Promise<S> {
  const grow = o.sameSocket ? streams : 2 * streams;
  const ms = o.ms ?? 15_000;
  const count = 'app' in server ? async () => server.app.services.events.subscriptionCount() : () => server.busListeners();
  let low = await count();
  const opened = open();
  for (const deadline = Date.now() + ms; Date.now() < deadline;) {
    const now = await count();
    if (now >= low + grow) break;
    low = Math.min(low, now);
    await new Promise((r) => setTimeout(r, 10));
  }
  return opened;
}
