import { buildSchema } from '../../src/graphql/schema';
import { resolvedFields, shared } from '../../src/graphql/live/shared';
import { surfaceOf } from '../../src/app/surface';
import { provisionApp, registerUser, startTestServer, userToken, type TestServer } from '../helpers/harness';
import { subscribe } from '../helpers/live';
import { builtInAdapters } from '../../src/vendors';

/**
 * Whether a resolver reads who is asking: the principal, or its context for anything but the
 * request's loaders (a service call with the context decides from the principal).
 */
function readsViewer(resolve: (...a: unknown[]) => unknown): boolean {
  const source = resolve.toString();
  if (/principal|privateOf/.test(source)) return true;
  const params = /^(?:async\s*)?(?:function\s*\w*)?\s*\(([^)]*)\)/.exec(source)?.[1] ?? /^(?:async\s*)?(\w+)\s*=>/.exec(source)?.[1] ?? '';
  const ctx = params.split(',')[2]?.split(':')[0]?.trim();
  if (!ctx) return false;
  const uses = [...source.matchAll(new RegExp(`\\b${ctx}\\b`, 'g'))].map((m) => source.slice(m.index!, m.index! + ctx.length + 9));
  const body = source.slice(source.indexOf(params) + params.length);
  const inBody = uses.slice(1); // the first is the parameter itself
  return (
    inBody.some((u) => !u.startsWith(`${ctx}.loaders`) && !u.startsWith(`${ctx})`)) ||
    (new RegExp(`\\b${ctx}\\)`).test(body) && !new RegExp(`freshLoaders\\(services, ${ctx}\\)`).test(body))
  );
}

describe('live results are shared only by declaration', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('marks no field that reads the viewer as shareable (a walk over both schemas)', () => {
    const port = surfaceOf(server.app.services);
    const extensions = builtInAdapters.flatMap((a) => (a.graphql ? [a.graphql] : []));
    for (const kind of ['plain', 'subgraph'] as const) {
      const fields = resolvedFields(buildSchema(port, kind, { extensions }));
      const wrong = fields.filter((f) => f.shared && readsViewer(f.resolve)).map((f) => f.coordinate);
      expect(wrong).toEqual([]);
      const byName = new Map(fields.map((f) => [f.coordinate, f.shared]));
      // what fan-out needs is shared; what depends on the viewer is not
      expect(byName.get('Message.sender')).toBe(true);
      expect(byName.get('Subscription.messageAdded')).toBe(true);
      expect(byName.get('User.notificationSettings')).toBe(false);
      expect(byName.get('Message.conversation')).toBe(false);
    }
  });

  it('the walk catches a viewer-reading resolver declared shared', () => {
    const leaky = shared((u: { id: string }, _a: unknown, ctx: { principal: { kind: string } }) =>
      ctx.principal.kind === 'app' ? u.id : null,
    );
    const serviceCall = shared((m: { id: string }, _a: unknown, ctx: unknown) => (globalThis as any).services?.access(ctx, m.id));
    const fine = shared((m: { senderId: string }, _a: unknown, ctx: { loaders: { userById: { load(id: string): unknown } } }) =>
      ctx.loaders.userById.load(m.senderId),
    );
    expect([readsViewer(leaky as never), readsViewer(serviceCall as never), readsViewer(fine as never)]).toEqual([true, true, false]);
  });

  it('computes a viewer-dependent selection per subscriber: each sees only their own private fields', async () => {
    const app = await provisionApp(server);
    await registerUser(server, app.token, 'ann');
    await registerUser(server, app.token, 'ben');
    const [ann, ben] = [await userToken(server, app.appId, 'ann'), await userToken(server, app.appId, 'ben')];
    const { sendMessage } = await server.ok(
      `mutation { sendMessage(input: { to: { username: "ben" }, type: TEXT, text: "0" }) { cursor conversation { id } } }`,
      {},
      ann,
    );
    const query = `subscription($c: ID, $a: String) { messageAdded(conversationId: $c, after: $a) { text sender { username notificationSettings { muted } } conversation { membership { role } } } }`;
    // Resuming after the first message: the next one arrives whether it is sent before or after the
    // streams are listening (graphql-ws has no "subscribed" answer), replayed or live, once.
    const vars = { c: sendMessage.conversation.id, a: sendMessage.cursor };
    const subs = [subscribe(server.wsUrl, ann, query, vars), subscribe(server.wsUrl, ben, query, vars)];
    await server.ok(
      `mutation($c: ID!) { sendMessage(input: { conversationId: $c, type: TEXT, text: "1" }) { id } }`,
      { c: sendMessage.conversation.id },
      ann,
    );
    const [forAnn, forBen] = await Promise.all(subs.map(async (s) => (await s.waitFor(1))[0].data.messageAdded));
    expect(forAnn.sender).toEqual({ username: 'ann', notificationSettings: { muted: false } });
    expect(forBen.sender).toEqual({ username: 'ann', notificationSettings: null });
    await Promise.all(subs.map((s) => s.close()));
  });
});
