import { errorCode, startTestServer, userToken, type TestServer } from '../../helpers/harness';
import { easemobClient, type EasemobClient } from './helpers';
import { listening, subscribe } from '../../helpers/live';

// What the Easemob adapter writes, GraphQL sees at once, and the other way round.
describe('easemob adapter and GraphQL share one domain', () => {
  let server: TestServer;
  let em: EasemobClient;
  beforeAll(async () => {
    server = await startTestServer({ EASEMOB_RATE_LIMIT: '0' });
    em = await easemobClient(server);
    await em.call('POST', '/users', {
      body: [
        { username: 'alice', password: 'pw-alice' },
        { username: 'bob', password: 'pw-bob' },
      ],
    });
  });
  afterAll(() => server.close());

  it('a user registered here logs in through GraphQL', async () => {
    const token = await userToken(server, em.app.appId, 'alice', 'pw-alice');
    expect((await server.ok(`{ me { username } }`, {}, token)).me.username).toBe('alice');
  });

  it("a message sent through /messages/users reaches the recipient's GraphQL subscription", async () => {
    const token = await userToken(server, em.app.appId, 'bob', 'pw-bob');
    const live = await listening(server, () =>
      subscribe(server.wsUrl, token, `subscription { messageAdded { uid text sender { username } } }`),
    );
    const sent = await em.call('POST', '/messages/users', {
      body: { from: 'alice', to: ['bob'], type: 'txt', body: { msg: 'over REST' } },
    });
    const [event] = await live.waitFor(1);
    expect(event.data.messageAdded).toEqual({ uid: Number(sent.body.data.bob), text: 'over REST', sender: { username: 'alice' } });
    await live.close();
  });

  it('a user blocked here cannot message the owner through GraphQL', async () => {
    expect((await em.call('POST', '/users/alice/blocks/users', { body: { usernames: ['bob'] } })).status).toBe(200);
    const bob = await userToken(server, em.app.appId, 'bob', 'pw-bob');
    const res = await server.gql(
      `mutation { sendMessage(input: { to: { username: "alice" }, type: TEXT, text: "let me in" }) { id } }`,
      {},
      bob,
    );
    expect(errorCode(res)).toBe('FORBIDDEN');
    expect(res.body.errors![0]!.extensions!.reason).toBe('blocked');
    // And through this adapter too, as a per-recipient failure.
    const rest = await em.call('POST', '/messages/users', { body: { from: 'bob', to: ['alice'], type: 'txt', body: { msg: 'x' } } });
    expect(rest.body.data.alice).toBe('fail: the recipient has blocked you');
    await em.call('DELETE', '/users/alice/blocks/users/bob');
    expect(
      (await server.gql(`mutation { sendMessage(input: { to: { username: "alice" }, type: TEXT, text: "thanks" }) { id } }`, {}, bob)).body
        .errors,
    ).toBeUndefined();
  });

  it('users and contacts written through GraphQL show here', async () => {
    await server.ok(`mutation { registerUser(input: { username: "Carol", password: "pw-carol", nickname: "C" }) { id } }`, {}, em.admin);
    const got = await em.call('GET', '/users/carol');
    expect(got.body.entities[0]).toMatchObject({ username: 'Carol', nickname: 'C', activated: true });
    await server.ok(`mutation { addContact(owner: { username: "Carol" }, contact: { username: "alice" }) { id } }`, {}, em.admin);
    expect((await em.call('GET', '/users/carol/contacts/users')).body.data).toEqual(['alice']);
  });
});
