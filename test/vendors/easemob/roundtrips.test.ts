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
    // Sender and recipient by name; the conversation (loader); the insert; then the conversation's
    // last message and the sender's read cursor. The roster, the blocklist and the last seq are cached.
    expect(commands).toEqual({
      'find users': 2,
      'find conversations': 1,
      'insert messages': 1,
      'update conversations': 1,
      'update members': 1,
    });
  });

  it('looks the sender up once however many recipients', async () => {
    const commands = await measure('POST', '/messages/users', { from: 'rt1', to: ['rt2', 'rt3'], type: 'txt', body: { msg: 'both' } });
    expect(commands['find users']).toBe(3); // the sender, then each recipient
    expect(commands['insert messages']).toBe(2);
  });
});
