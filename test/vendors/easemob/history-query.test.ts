import { startTestServer, type TestServer } from '../../helpers/harness';
import { easemobClient, expectEasemobError, type EasemobClient } from './helpers';

// The legacy history query, GET /chatmessages?ql=…, in the forms the vendor documented.
describe('Easemob legacy history query (ql)', () => {
  let server: TestServer;
  let em: EasemobClient;
  const sent: { text: string; from: string; to: string; at: number }[] = [];
  const q = (query: string) => em.call('GET', `/chatmessages?${query}`);
  const texts = (body: any) => body.entities.map((e: any) => e.payload.bodies[0].msg);

  beforeAll(async () => {
    server = await startTestServer({ EASEMOB_RATE_LIMIT: '0' });
    em = await easemobClient(server);
    for (const username of ['ann', 'bob', 'cat'])
      await em.call('POST', '/users', { body: { username, password: 'p' }, contentType: 'application/json' });
    const pairs: [string, string][] = [
      ['ann', 'bob'],
      ['bob', 'ann'],
      ['cat', 'ann'],
      ['ann', 'cat'],
      ['bob', 'cat'],
    ];
    for (const [i, [from, to]] of pairs.entries()) {
      const res = await em.call('POST', '/messages/users', {
        body: { from, to: [to], type: 'txt', body: { msg: `m${i}` } },
        contentType: 'application/json',
      });
      expect(res.status).toBe(200);
      sent.push({ text: `m${i}`, from, to, at: 0 });
    }
    const all = await q('limit=100');
    for (const e of all.body.entities) sent.find((s) => s.text === e.payload.bodies[0].msg)!.at = e.timestamp;
  });
  afterAll(() => server.close());

  it('answers entities in ascending time with the vendor fields, and a cursor while more follow', async () => {
    const first = await q('limit=2');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ action: 'get', path: '/chatmessages', count: 2, params: { limit: ['2'] } });
    expect(first.body.entities[0]).toEqual({
      uuid: expect.stringMatching(/^[0-9a-f-]{36}$/),
      type: 'chatmessage',
      created: sent[0]!.at,
      modified: sent[0]!.at,
      msg_id: expect.stringMatching(/^\d+$/),
      timestamp: sent[0]!.at,
      direction: 'outgoing',
      from: 'ann',
      to: 'bob',
      chat_type: 'chat',
      payload: { bodies: [{ type: 'txt', msg: 'm0' }], ext: {}, from: 'ann', to: 'bob' },
    });
    const pages = [texts(first.body)];
    let cursor = first.body.cursor as string | undefined;
    while (cursor) {
      const next = await q(`limit=2&cursor=${encodeURIComponent(cursor)}`);
      pages.push(texts(next.body));
      cursor = next.body.cursor;
    }
    expect(pages).toEqual([['m0', 'm1'], ['m2', 'm3'], ['m4']]);
  });

  it('filters by timestamp (<, >, a range), from, to, or, and orders descending', async () => {
    const [, t1, t2, t3] = sent.map((s) => s.at);
    const ql = (text: string) => q(`limit=50&ql=${encodeURIComponent(text)}`).then((r) => (expect(r.status).toBe(200), texts(r.body)));
    expect(await ql(`select * where timestamp<${t1}`)).toEqual(['m0']);
    expect(await ql(`select * where timestamp>${t3}`)).toEqual(['m4']);
    expect(await ql(`select * where timestamp>=${t1} and timestamp<=${t2}`)).toEqual(['m1', 'm2']);
    expect(await ql(`select * where from='ann'`)).toEqual(['m0', 'm3']);
    expect(await ql(`select * where to='ann'`)).toEqual(['m1', 'm2']);
    expect(await ql(`select * where from='cat' or to='cat' order by timestamp desc`)).toEqual(['m4', 'm3', 'm2']);
    expect(await ql(`select * where (from='bob' or from='cat') and timestamp>${t1}`)).toEqual(['m2', 'm4']);
    // The SDK's own form: + for spaces, a raw <.
    const sdk = await em.call('GET', `/chatmessages?limit=1&ql=select+*+where+timestamp<${Date.now() + 1000}`);
    expect(texts(sdk.body)).toEqual(['m0']);
  });

  it('keeps the names of deleted users in history', async () => {
    await em.call('POST', '/users', { body: { username: 'gone', password: 'p' }, contentType: 'application/json' });
    await em.call('POST', '/messages/users', {
      body: { from: 'ann', to: ['gone'], type: 'txt', body: { msg: 'bye' } },
      contentType: 'application/json',
    });
    await em.call('POST', '/messages/users', {
      body: { from: 'gone', to: ['ann'], type: 'txt', body: { msg: 'ciao' } },
      contentType: 'application/json',
    });
    expect((await em.call('DELETE', '/users/gone')).status).toBe(200);
    const res = await q(`limit=50&ql=${encodeURIComponent("select * where from='gone' or to='gone'")}`);
    expect(res.body.entities.map((e: any) => [e.from, e.to, e.payload.bodies[0].msg])).toEqual([
      ['ann', 'gone', 'bye'],
      ['gone', 'ann', 'ciao'],
    ]);
  });

  it('refuses what it cannot read in the dialect, never a 500', async () => {
    for (const query of [
      'ql=delete * where timestamp<1',
      'ql=select * where timestamp<abc',
      'ql=select * where nickname=1',
      `ql=${encodeURIComponent('select * where ' + '('.repeat(20) + 'from=1' + ')'.repeat(20))}`,
      `ql=${'x'.repeat(2000)}`,
      'limit=0',
      'limit=1001',
      'cursor=bm90LWEtY3Vyc29y',
    ])
      expect({ query, status: (await q(query)).status }).toEqual({ query, status: 400 });
    expectEasemobError(await em.call('GET', '/chatmessages', { token: null }), 401, 'unauthorized');
  });
});
