import { startTestServer, type TestServer } from '../../helpers/harness';
import { loadSdk, unloadSdk, until } from '../../helpers/easemob-sdk';
import { msyncUsers } from './msync-helpers';

// agora-chat 1.4.0, the same protocol under Agora's name, unmodified: one-to-one and group chat.
describe('Easemob msync: the agora-chat SDK', () => {
  let server: TestServer;
  let users: Awaited<ReturnType<typeof msyncUsers>>;

  beforeAll(async () => {
    server = await startTestServer({ EASEMOB_RATE_LIMIT: '0' });
    users = await msyncUsers(server, loadSdk('agora-chat'), ['amy', 'bo']);
  }, 60_000);
  afterAll(async () => {
    users?.closeAll();
    unloadSdk();
    await server?.close();
  });

  it('chats one-to-one and in a group, live and offline', async () => {
    const amy = await users.online('amy');
    const bo = await users.online('bo');
    const sent = await amy.send({ type: 'txt', to: 'bo', msg: 'hi from agora' });
    expect(await until(() => bo.got.text[0], 'the message')).toMatchObject({ id: sent.serverMsgId, from: 'amy', msg: 'hi from agora' });
    const group = await users.em.call('POST', '/chatgroups', {
      contentType: 'application/json',
      body: { groupname: 'g', description: 'g', public: false, owner: 'amy', members: ['bo'] },
    });
    const gid = group.body.data.groupid as string;
    bo.conn.close();
    await until(() => bo.got.disconnected === 1, 'bo offline');
    await amy.send({ type: 'txt', chatType: 'groupChat', to: gid, msg: 'while you were out' });
    const back = await users.online('bo');
    expect(await until(() => back.got.text[0], 'the group message')).toMatchObject({
      chatType: 'groupChat',
      to: gid,
      msg: 'while you were out',
    });
  });
});
