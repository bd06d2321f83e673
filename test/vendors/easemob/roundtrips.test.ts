import { countCommands, type CommandCounter } from '../../../src/db/commands';
import { startTestServer, type TestServer } from '../../helpers/harness';
import { easemobClient, type EasemobClient } from './helpers';

// Database commands per Easemob request, once the app and the token are known: machine-independent
// figures that carry over to MongoDB, where each is an index lookup.
describe('easemob adapter: database round trips per request', () => {
  let server: TestServer;
  let em: EasemobClient;
  let counter: CommandCounter;
  beforeAll(async () => {
    server = await startTestServer({ EASEMOB_RATE_LIMIT: '0', OUTBOX_WORKER: 'false' }); // no idle scans in the counted windows
    em = await easemobClient(server);
    await em.call('POST', '/users', {
      body: [
        { username: 'rt1', password: 'pw' },
        { username: 'rt2', password: 'pw' },
        { username: 'rt3', password: 'pw' },
      ],
    });
    await em.call('POST', '/messages/users', { body: { from: 'rt1', to: ['rt2', 'rt3'], type: 'txt', body: { msg: 'warm' } } });
    counter = countCommands(server.app.db.connection);
  });
  afterAll(async () => {
    counter.stop();
    await server.close();
  });

  const measure = async (method: string, path: string, body?: unknown) => {
    counter.reset();
    const res = await em.call(method, path, { body });
    expect(res.status).toBe(200);
    return counter.byName;
  };

  it('reads a user with one command: the app and the token come from their caches', async () => {
    expect(await measure('GET', '/users/rt1')).toEqual({ 'find users': 1 });
  });

  it('pays one token lookup for a forged token (the app comes from its cache)', async () => {
    counter.reset();
    const res = await em.call('GET', '/users/rt1', { token: 'forged' });
    expect(res.status).toBe(401);
    expect(counter.byName).toEqual({ 'find tokens': 1 });
  });

  it('sends a direct message to a known pair in a bounded number of commands', async () => {
    const commands = await measure('POST', '/messages/users', { from: 'rt1', to: ['rt2'], type: 'txt', body: { msg: 'again' } });
    // The conversation (loader); the insert; then the conversation's last message and the sender's
    // read cursor. Sender and recipient (by name), roster, blocklist and last seq come from caches.
    expect(commands).toEqual({
      'find conversations': 1,
      'insert messages': 1,
      'update conversations': 1,
      'update members': 1,
    });
  });

  it('looks each user up once, then from the cache, however many recipients', async () => {
    await em.call('POST', '/users', { body: ['rt7', 'rt8', 'rt9'].map((username) => ({ username, password: 'pw' })) });
    const send = () => measure('POST', '/messages/users', { from: 'rt7', to: ['rt8', 'rt9'], type: 'txt', body: { msg: 'both' } });
    expect((await send())['find users']).toBe(3); // cold: the sender, then each recipient
    const warm = await send();
    expect(warm['find users']).toBeUndefined();
    expect(warm['insert messages']).toBe(2);
  });
});
