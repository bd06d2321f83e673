import type { RequestContext } from '../../../src/domain/context';
import { gunzipSync } from 'node:zlib';
import { createHistoryExport } from '../../../src/messages/export';
import { startTestServer, type TestServer } from '../../helpers/harness';
import { easemobClient, expectEasemobError, type EasemobClient } from './helpers';

const hourOf = (ms: number) => new Date(ms).toISOString().slice(0, 13).replace(/[-T]/g, '');

// Issue 17: GET /chatmessages/{yyyyMMddHH} answers an expiring signed link to that hour's messages.
describe('Easemob history export', () => {
  let server: TestServer;
  let em: EasemobClient;
  const json = (method: string, path: string, body?: unknown) =>
    em.call(method, path, { contentType: 'application/json', ...(body === undefined ? {} : { body }) });
  const download = async (hour: string) => {
    const link = await json('GET', `/chatmessages/${hour}`);
    expect(link.status).toBe(200);
    const res = await fetch(link.body.data[0].url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/gzip');
    const text = gunzipSync(Buffer.from(await res.arrayBuffer())).toString('utf8');
    return text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
  };

  beforeAll(async () => {
    server = await startTestServer();
    em = await easemobClient(server);
    await json(
      'POST',
      '/users',
      ['ann', 'ben', 'cat'].map((username) => ({ username, password: 'secret-pass' })),
    );
  });
  afterAll(() => server.close());

  it('exports the hour as gzip JSON lines in the vendor message format, for any sender surface', async () => {
    const started = Date.now();
    const gid = (await json('POST', '/chatgroups', { groupname: 'g', owner: 'ann', members: ['ben'] })).body.data.groupid;
    const rid = (await json('POST', '/chatrooms', { name: 'r', owner: 'cat' })).body.data.id;
    const direct = await json('POST', '/messages/users', {
      from: 'ann',
      to: ['ben'],
      type: 'txt',
      body: { msg: 'hi ben' },
      ext: { k: 'v' },
    });
    const toGroup = await json('POST', '/messages/chatgroups', {
      from: 'ben',
      to: [gid],
      type: 'img',
      body: { url: 'https://cdn.example.com/a.png', filename: 'a.png', file_length: 12 },
    });
    const toRoom = await json('POST', '/messages/chatrooms', { from: 'cat', to: [rid], type: 'cmd', body: { action: 'ping' } });
    const hours = [...new Set([hourOf(started), hourOf(Date.now())])];
    const lines = (await Promise.all(hours.map(download))).flat();
    expect(lines).toEqual([
      {
        msg_id: direct.body.data.ben,
        timestamp: expect.any(Number),
        direction: 'outgoing',
        to: 'ben',
        from: 'ann',
        chat_type: 'chat',
        payload: { bodies: [{ type: 'txt', msg: 'hi ben' }], ext: { k: 'v' }, from: 'ann', to: 'ben' },
      },
      expect.objectContaining({
        msg_id: toGroup.body.data[gid],
        to: gid,
        from: 'ben',
        chat_type: 'groupchat',
        payload: {
          bodies: [{ type: 'img', url: 'https://cdn.example.com/a.png', filename: 'a.png', file_length: 12 }],
          ext: {},
          from: 'ben',
          to: gid,
        },
      }),
      expect.objectContaining({
        msg_id: toRoom.body.data[rid],
        to: rid,
        chat_type: 'chatroom',
        payload: { bodies: [{ type: 'cmd', action: 'ping' }], ext: {}, from: 'cat', to: rid },
      }),
    ]);
    expect(lines[0].timestamp).toBeGreaterThanOrEqual(started);
    // An hour with nothing in it is an empty file, not an error.
    expect(await download('2001010100')).toEqual([]);
  });

  it('refuses a tampered, foreign or token-less request, and an hour that is not one', async () => {
    const link = new URL((await json('GET', '/chatmessages/2026010100')).body.data[0].url);
    expect(link.searchParams.get('Expires')).toMatch(/^\d+$/);
    const forged = new URL(link);
    forged.searchParams.set('Signature', 'A'.repeat(link.searchParams.get('Signature')!.length));
    const body = async (u: URL) => {
      const res = await fetch(u);
      return { status: res.status, body: await res.json(), headers: res.headers };
    };
    expectEasemobError(await body(forged), 403, 'forbidden_op');
    const otherHour = new URL(link.href.replace('/chatmessages/2026010100/', '/chatmessages/2026010101/'));
    expectEasemobError(await body(otherHour), 403, 'forbidden_op');
    const later = new URL(link);
    later.searchParams.set('Expires', String(Number(link.searchParams.get('Expires')) + 1));
    expectEasemobError(await body(later), 403, 'forbidden_op');
    // The same signature on another app's path is no link of that app's.
    const other = await easemobClient(server);
    const foreign = new URL(link.href.replace(em.root, other.root));
    expectEasemobError(await body(foreign), 403, 'forbidden_op');
    expectEasemobError(await em.call('GET', '/chatmessages/2026010100', { token: null }), 401, 'unauthorized');
    expectEasemobError(await json('GET', '/chatmessages/2026023000'), 400, 'illegal_argument');
    expectEasemobError(await json('GET', '/chatmessages/20260101'), 400, 'illegal_argument');
  });

  it('lets a link expire', async () => {
    const historyExport = createHistoryExport({
      store: { ofAppBetween: async function* () {}, appPage: async () => [] },
      keyMaterial: 'k',
      ttlSeconds: 60,
    });
    const ctx = { principal: { kind: 'app', appId: em.app.appId, tokenId: 't', expiresAt: null } } as unknown as RequestContext;
    const { expires, signature } = historyExport.link(ctx, '2026010100');
    expect(historyExport.verify(em.app.appId, '2026010100', expires, signature)).toBe(true);
    expect(historyExport.verify(em.app.appId, '2026010100', expires, signature, (expires + 1) * 1000)).toBe(false);
  });
});
