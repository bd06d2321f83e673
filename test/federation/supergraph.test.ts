import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { composeServices } from '@apollo/composition';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { parse } from 'graphql';
import { countCommands } from '../../src/db/commands';
import { provisionApp, registerUser, startTestServer, userToken, type TestServer } from '../helpers/harness';
import { listening, subscribe } from '../helpers/live';
import { PROFILES_SDL, startProfilesSubgraph } from './profiles-subgraph';

// Issue 16: the facade composed as a Federation 2 subgraph beside another subgraph, behind a real
// gateway (the configuration docs/GRAPHQL.md shows).
describe('the facade in a supergraph', () => {
  let chat: TestServer;
  let profiles: Awaited<ReturnType<typeof startProfilesSubgraph>>;
  let gateway: ApolloServer<{ authorization?: string }>;
  let gatewayUrl: string;
  let appToken: string;
  let alice: string;
  let conversationId: string;
  let strangerConversation: string;
  let foreignUser: string;
  const userIds: string[] = [];
  const chatFetches: { representations?: { __typename: string }[] }[] = [];

  beforeAll(async () => {
    chat = await startTestServer({ GRAPHQL_FEDERATION: 'true', OUTBOX_WORKER: 'false' });
    const app = await provisionApp(chat);
    appToken = app.token;
    const users = Array.from({ length: 50 }, (_, i) => ({ username: `u${i}`, password: 'secret-pass', nickname: `User ${i}` }));
    const register = `mutation($i: [RegisterUserInput!]!) { registerUsers(input: $i) { users { id } } }`;
    for (const batch of [users.slice(0, 25), users.slice(25)])
      userIds.push(...(await chat.ok(register, { i: batch }, appToken)).registerUsers.users.map((u: { id: string }) => u.id));
    await registerUser(chat, appToken, 'outsider');
    alice = await userToken(chat, app.appId, 'u0');
    const send = `mutation($to: String!) { sendMessage(input: { to: { username: $to }, type: TEXT, text: "hi" }) { conversationId } }`;
    conversationId = (await chat.ok(send, { to: 'u1' }, alice)).sendMessage.conversationId;
    strangerConversation = (await chat.ok(send, { to: 'u2' }, await userToken(chat, app.appId, 'outsider'))).sendMessage.conversationId;
    const other = await provisionApp(chat);
    foreignUser = (await registerUser(chat, other.token, 'foreigner')).id;

    profiles = await startProfilesSubgraph([
      ...userIds.map((userId, i) => ({ userId, pinned: i === 0 ? conversationId : i === 1 ? strangerConversation : undefined })),
      { userId: foreignUser },
    ]);
    // The composition a supergraph build (rover, GraphOS) does, from each subgraph's own _service.sdl.
    const { _service } = await chat.ok(`{ _service { sdl } }`);
    const composed = composeServices([
      { name: 'chat', url: `${chat.url}/graphql`, typeDefs: parse(_service.sdl) },
      { name: 'profiles', url: profiles.url, typeDefs: parse(PROFILES_SDL) },
    ]);
    expect(composed.errors).toBeUndefined();
    const gatewayImpl = new ApolloGateway({
      supergraphSdl: composed.supergraphSdl!,
      buildService: ({ name, url }) =>
        new RemoteGraphQLDataSource<{ authorization?: string }>({
          url,
          // The caller's token travels to the facade, which authorises every entity it resolves.
          willSendRequest({ request, context }) {
            if (context.authorization) request.http!.headers.set('authorization', context.authorization);
            if (name === 'chat') chatFetches.push({ representations: request.variables?.representations as never });
          },
        }),
    });
    gateway = new ApolloServer({ gateway: gatewayImpl });
    ({ url: gatewayUrl } = await startStandaloneServer(gateway, {
      listen: { port: 0, host: '127.0.0.1' },
      context: async ({ req }) => ({ authorization: req.headers.authorization }),
    }));
  });
  afterAll(async () => {
    await gateway?.stop();
    await profiles?.stop();
    await chat?.close();
  });

  async function throughGateway(query: string, token: string) {
    const res = await fetch(gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query }),
    });
    return (await res.json()) as { data?: any; errors?: unknown[] };
  }

  it('serves its subgraph SDL with the entity keys', async () => {
    const { _service } = await chat.ok(`{ _service { sdl } }`);
    expect(_service.sdl).toContain('@link(url: "https://specs.apollo.dev/federation/v2.7"');
    expect(_service.sdl).toMatch(/type User implements Node\s+@key\(fields: "id"\)\s+@key\(fields: "appId username"\)/);
    for (const type of ['Conversation', 'Group', 'Message'])
      expect(_service.sdl).toMatch(new RegExp(`type ${type} implements Node\\s+@key\\(fields: "id"\\)`));
  });

  it('answers a query across both subgraphs, fetching the 50 users in one _entities call and one database query', async () => {
    chatFetches.length = 0;
    const counter = countCommands(chat.app.db.connection);
    const res = await throughGateway(`{ profiles { user { bio username nickname } } }`, appToken);
    counter.stop();
    expect(res.errors).toBeUndefined();
    expect(res.data.profiles).toHaveLength(51);
    expect(res.data.profiles[7]).toEqual({ user: { bio: `bio of ${userIds[7]!.slice(-4)}`, username: 'u7', nickname: 'User 7' } });
    const userFetches = chatFetches.filter((f) => f.representations?.some((r) => r.__typename === 'User'));
    expect(userFetches).toHaveLength(1);
    expect(userFetches[0]!.representations).toHaveLength(51);
    expect(counter.byName['find users']).toBe(1);
  });

  it('resolves only what the caller may see: another app’s user and a conversation it is not in are null, with no error', async () => {
    const res = await throughGateway(`{ profiles { user { username } pinned { id kind } } }`, alice);
    expect(res.errors).toBeUndefined();
    expect(res.data.profiles.at(-1)).toEqual({ user: null, pinned: null });
    expect(res.data.profiles[0]).toEqual({ user: { username: 'u0' }, pinned: { id: conversationId, kind: 'DIRECT' } });
    expect(res.data.profiles[1]).toEqual({ user: { username: 'u1' }, pinned: null });
    expect(JSON.stringify(res.errors ?? [])).not.toContain(foreignUser);
    expect(JSON.stringify(res.errors ?? [])).not.toContain(strangerConversation);
  });

  it('resolves references by either User key and every entity type in _entities, null where hidden', async () => {
    const group = (await chat.ok(`mutation { createGroup(input: { name: "g", members: [{ username: "u1" }] }) { id } }`, {}, alice))
      .createGroup;
    const message = (await chat.ok(`query($c: ID!) { conversation(id: $c) { lastMessage { id } } }`, { c: conversationId }, alice))
      .conversation.lastMessage.id;
    const appId = (await chat.ok(`{ viewer { app { id } } }`, {}, alice)).viewer.app.id;
    const representations = [
      { __typename: 'User', appId, username: 'U3' },
      { __typename: 'User', appId: 'another-app', username: 'u3' },
      { __typename: 'User', id: foreignUser },
      { __typename: 'Conversation', id: conversationId },
      { __typename: 'Conversation', id: strangerConversation },
      { __typename: 'Group', id: group.id },
      { __typename: 'Message', id: message },
    ];
    const res = await chat.gql(
      `query($r: [_Any!]!) { _entities(representations: $r) { __typename
        ... on User { username } ... on Conversation { id } ... on Group { name } ... on Message { text } } }`,
      { r: representations },
      alice,
    );
    expect(res.body.errors).toBeUndefined();
    const tooMany = await chat.gql(`query($r: [_Any!]!) { _entities(representations: $r) { __typename } }`, {
      r: Array.from({ length: 1_001 }, () => representations[0]),
    });
    expect(tooMany.body.errors?.[0]?.extensions?.code).toBe('INVALID_INPUT');
    expect(res.body.data!._entities).toEqual([
      { __typename: 'User', username: 'u3' },
      null,
      null,
      { __typename: 'Conversation', id: conversationId },
      null,
      { __typename: 'Group', name: 'g' },
      { __typename: 'Message', text: 'hi' },
    ]);
  });

  it('keeps live subscriptions working on the subgraph schema', async () => {
    const sub = await listening(chat, () =>
      subscribe(chat.wsUrl, alice, `subscription($c: ID!) { messageAdded(conversationId: $c) { text conversation { id } } }`, {
        c: conversationId,
      }),
    );
    await chat.ok(
      `mutation($c: ID!) { sendMessage(input: { conversationId: $c, type: TEXT, text: "live" }) { id } }`,
      { c: conversationId },
      alice,
    );
    const [event] = await sub.waitFor(1);
    expect(event.data.messageAdded).toEqual({ text: 'live', conversation: { id: conversationId } });
    await sub.close();
  });

  it('keeps the plain schema without federation fields unless GRAPHQL_FEDERATION is on', async () => {
    const plain = await startTestServer({ OUTBOX_WORKER: 'false' });
    try {
      const res = await plain.gql(`{ _service { sdl } }`);
      expect(res.status).toBe(400);
      expect(res.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    } finally {
      await plain.close();
    }
  });
});
