import { countCommands, type CommandCounter } from '../../../src/db/commands';
import { startTestServer, type TestServer } from '../../helpers/harness';
import { loadSdk, unloadSdk, until } from '../../helpers/easemob-sdk';
import { msyncUrl, msyncUsers, rawSession } from './msync-helpers';

// What the SDK's socket costs the database, pinned (machine-independent): a warm send and its live
// push, and the heartbeat (UNREAD every 30 s per socket) when nothing waits.
describe('Easemob msync in database commands', () => {
  let server: TestServer;
  let users: Awaited<ReturnType<typeof msyncUsers>>;
  let counter: CommandCounter;

  beforeAll(async () => {
    server = await startTestServer({ OUTBOX_WORKER: 'false', EASEMOB_RATE_LIMIT: '0' }); // no idle scans in the counted windows
    users = await msyncUsers(server, loadSdk(), ['ann', 'ben']);
    counter = countCommands(server.app.db.connection);
  }, 60_000);
  afterAll(async () => {
    counter.stop();
    users?.closeAll();
    unloadSdk();
    await server?.close();
  });

  it('a warm send is its four writes, its live push none, the delivery one coalesced write', async () => {
    const ann = await users.online('ann');
    const ben = await users.online('ben');
    // Warm: the first message of a conversation on a socket is noticed and synced; then pushed.
    await ann.send({ type: 'txt', to: 'ben', msg: 'warm-up' });
    await until(() => ben.got.text.length === 1, 'warm-up');
    // The SDK asks for a queue once more after its last page: let that exchange end first.
    await until(() => ben.conn._queues.length === 0, 'the SDK has no queue left to sync');
    await server.app.services.deliveries.flush();
    counter.reset();
    await ann.send({ type: 'txt', to: 'ben', msg: 'counted' });
    await until(() => ben.got.text.length === 2, 'the counted message');
    await server.app.services.deliveries.flush();
    expect(counter.byName).toEqual({
      'insert message_send_keys': 1, // idempotency by the SDK's local id
      'insert messages': 1,
      'update conversations': 1,
      'update members': 2, // the sender's cursors, the recipient's delivery
    });
  });

  it('answers a heartbeat with nothing waiting without asking the database', async () => {
    const token = await users.tokenOf('ann');
    const raw = await rawSession(msyncUrl(server), users.appKey, 'ann', token);
    await raw.command(1); // the first UNREAD after login reads the inbox
    counter.reset();
    await raw.command(1);
    await raw.command(1);
    expect(counter.total).toBe(0);
    raw.close();
  });
});
