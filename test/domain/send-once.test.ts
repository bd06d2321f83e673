import { startDbProxy, insertsInto } from '../helpers/db-proxy';
import { eventually } from '../outbox/helpers';
import { startDomain } from './helpers';

// Issue 28: a send whose insert reached the database but whose answer never came back (a stalled
// or overloaded database) must not become two messages when the client retries with its
// clientMessageId, and the message must be announced once (a webhook, a live frame), not never.
describe('a send whose outcome was unknown, retried with its clientMessageId', () => {
  let proxy: Awaited<ReturnType<typeof startDbProxy>>;
  let domain: Awaited<ReturnType<typeof startDomain>>;

  beforeAll(async () => {
    proxy = await startDbProxy(process.env.TEST_MONGODB_URI!);
    domain = await startDomain({ MONGODB_URI: proxy.uri, DB_TIMEOUT_MS: '800' });
    await domain.register('alice', 'bob');
  });
  afterAll(async () => {
    await domain?.close();
    await proxy?.close();
  });

  it('is stored once and announced once', async () => {
    const alice = domain.user('alice');
    const send = (text: string, clientMessageId: string) =>
      domain.port.messages.send(alice, { to: { username: 'bob' }, type: 'text', text, clientMessageId });
    await send('warm', 'warm'); // caches hot: the next send's only writes are its key and its message
    const announced: string[] = [];
    domain.events.on('message.added', (e) => void (e.message.clientMessageId === 'once' && announced.push(e.message.id)));

    // The insert reaches the database; its answer (and every later one) does not come back.
    proxy.swallowRepliesFrom(insertsInto('messages'));
    await expect(send('only once', 'once')).rejects.toBeDefined();
    proxy.passReplies();
    expect(announced).toEqual([]);

    const retried = await eventually(async () => send('only once', 'once').catch(() => undefined), 10_000, 'the retry');
    const again = await send('only once', 'once');
    expect(again.id).toBe(retried.id);
    const page = await domain.port.messages.history(alice, retried.conversationId, { last: 10 });
    expect(page.edges.filter((e) => e.node.clientMessageId === 'once').map((e) => e.node.id)).toEqual([retried.id]);
    expect(announced).toEqual([retried.id]);
  });
});
