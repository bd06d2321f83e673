import { clusterEnv, startInstance, type Instance } from '../helpers/cluster';
import { loadSdk, unloadSdk, until } from '../helpers/easemob-sdk';
import { msyncUsers } from '../vendors/easemob/msync-helpers';

// The client SDK's sockets on two real server processes sharing one database and Redis: what one
// instance's socket sends reaches the other's live, and what a closed SDK missed on one it gets on the other.
describe('Easemob msync across two instances', () => {
  let a: Instance;
  let b: Instance;
  let users: Awaited<ReturnType<typeof msyncUsers>>;

  beforeAll(async () => {
    const env = clusterEnv();
    [a, b] = await Promise.all([startInstance(env), startInstance(env)]);
    users = await msyncUsers(a.server, loadSdk(), ['ann', 'ben']);
  }, 60_000);
  afterAll(async () => {
    users?.closeAll();
    unloadSdk();
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it('delivers between instances live, and offline messages on the other instance, in order and once', async () => {
    const ann = await users.online('ann');
    const ben = await users.online('ben', { at: b.server.url });
    const sent = await ann.send({ type: 'txt', to: 'ben', msg: 'from A' });
    expect(await until(() => ben.got.text[0], 'A to B')).toMatchObject({ id: sent.serverMsgId, msg: 'from A' });
    await ben.send({ type: 'txt', to: 'ann', msg: 'from B' });
    expect(await until(() => ann.got.text[0], 'B to A')).toMatchObject({ from: 'ben', msg: 'from B' });
    ben.conn.close();
    await until(() => ben.got.disconnected === 1, 'ben offline');
    for (const msg of ['x', 'y', 'z']) await ann.send({ type: 'txt', to: 'ben', msg });
    const back = await users.online('ben', { at: a.server.url });
    await until(() => back.got.text.length === 3, 'the missed messages');
    expect(back.got.text.map((m: any) => m.msg)).toEqual(['x', 'y', 'z']);
    // A second device of ben's on B hears the next one too; the first hears nothing twice.
    const other = await users.online('ben', { at: b.server.url });
    await ann.send({ type: 'txt', to: 'ben', msg: 'both' });
    await until(() => back.got.text.length === 4 && other.got.text.length === 1, 'both devices');
    expect(back.got.text.map((m: any) => m.msg)).toEqual(['x', 'y', 'z', 'both']);
  });
});
