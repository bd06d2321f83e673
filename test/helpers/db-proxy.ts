import net from 'node:net';

/**
 * A loopback TCP proxy in front of the test database that can stop passing the database's replies
 * while still passing the client's commands: the database applies a write, the client never hears
 * of it and times out. That is how a stalled or overloaded database leaves a write's outcome unknown.
 */
export async function startDbProxy(uri: string) {
  const target = new URL(uri);
  let swallow = false;
  let trigger: ((chunk: Buffer) => boolean) | undefined;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port), target.hostname);
    sockets.add(client).add(upstream);
    client.on('data', (chunk: Buffer) => {
      if (trigger?.(chunk)) swallow = true;
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!swallow) client.write(chunk);
    });
    const end = () => (client.destroy(), upstream.destroy(), sockets.delete(client), sockets.delete(upstream));
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    uri: `mongodb://127.0.0.1:${port}/`,
    /** From the first client chunk that `match` accepts (that chunk included), replies are dropped. */
    swallowRepliesFrom(match: (chunk: Buffer) => boolean) {
      trigger = match;
    },
    /** Replies pass again (to connections made from now: the client drops the ones that timed out). */
    passReplies() {
      trigger = undefined;
      swallow = false;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

/** An OP_MSG chunk that inserts into `collection` (the command's first element is `insert: <name>`). */
export const insertsInto = (collection: string) => {
  const marker = Buffer.concat([Buffer.from([0x02]), Buffer.from('insert\0'), Buffer.alloc(4), Buffer.from(`${collection}\0`)]);
  const length = Buffer.alloc(4);
  length.writeInt32LE(collection.length + 1);
  marker.set(length, 8);
  return (chunk: Buffer) => chunk.includes(marker);
};
