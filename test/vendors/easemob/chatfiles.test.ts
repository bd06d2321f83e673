import sharp from 'sharp';
import { startTestServer, type TestServer } from '../../helpers/harness';
import { easemobClient, expectEasemobError, type EasemobClient } from './helpers';

// Easemob chat files: POST /chatfiles (multipart, restrict-access), GET /chatfiles/{uuid} with the
// share-secret or a token of the app, thumbnail: true for an image's thumbnail; stored in GridFS.
describe('Easemob chat files', () => {
  let server: TestServer;
  let em: EasemobClient;
  let other: EasemobClient;
  let image: Buffer;

  const upload = (data: Buffer, o: { name?: string; type?: string; token?: string | null; restrict?: string } = {}) => {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(data)], { type: o.type ?? 'image/jpeg' }), o.name ?? 'photo.jpg');
    const headers: Record<string, string> = { 'restrict-access': o.restrict ?? 'true' };
    if (o.token !== null) headers.authorization = `Bearer ${o.token ?? em.admin}`;
    return fetch(`${em.root}/chatfiles`, { method: 'POST', headers, body: form }).then(async (r) => ({
      status: r.status,
      body: (await r.json()) as any,
    }));
  };
  const download = (uuid: string, headers: Record<string, string>) =>
    fetch(`${em.root}/chatfiles/${uuid}`, { headers: { accept: 'application/octet-stream', ...headers } }).then(async (r) => ({
      status: r.status,
      headers: r.headers,
      bytes: Buffer.from(await r.arrayBuffer()),
    }));

  beforeAll(async () => {
    server = await startTestServer({ FILE_MAX_BYTES: '200000', FILE_APP_QUOTA_BYTES: '600000', EASEMOB_RATE_LIMIT: '0' });
    em = await easemobClient(server);
    other = await easemobClient(server);
    image = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#3a6' } })
      .jpeg()
      .toBuffer();
  });
  afterAll(() => server.close());

  it('uploads and answers entities[0] with uuid, type and share-secret; downloads with the secret alone', async () => {
    const up = await upload(image);
    expect(up.status).toBe(200);
    expect(up.body).toMatchObject({ action: 'post', path: '/chatfiles', uri: `${em.root}/chatfiles` });
    const [entity] = up.body.entities;
    expect(entity).toEqual({ uuid: expect.stringMatching(/^[0-9a-f-]{36}$/), type: 'chatfile', 'share-secret': expect.any(String) });
    const got = await download(entity.uuid, { 'share-secret': entity['share-secret'] });
    expect(got.status).toBe(200);
    expect(got.bytes.equals(image)).toBe(true);
    expect(got.headers.get('content-type')).toBe('image/jpeg');
    expect(got.headers.get('x-content-type-options')).toBe('nosniff');
    // The thumbnail: a real, smaller image within 170×170.
    const thumb = await download(entity.uuid, { 'share-secret': entity['share-secret'], thumbnail: 'true' });
    const meta = await sharp(thumb.bytes).metadata();
    expect({ status: thumb.status, w: meta.width, h: meta.height }).toEqual({ status: 200, w: 170, h: 128 });
  });

  it('never serves a file without its secret or a token of its app', async () => {
    const { body } = await upload(image);
    const { uuid } = body.entities[0];
    expectEasemobError(
      (await download(uuid, {}).then((r) => ({ ...r, body: JSON.parse(r.bytes.toString()) }))) as never,
      401,
      'unauthorized',
    );
    const wrong = await download(uuid, { 'share-secret': 'x'.repeat(48) });
    expect(wrong.status).toBe(401);
    const otherApp = await download(uuid, { authorization: `Bearer ${other.admin}` });
    expect(otherApp.status).toBe(401);
    // The secret of another app's file does not open it through this app's path either.
    expect((await fetch(`${other.root}/chatfiles/${uuid}`, { headers: { 'share-secret': body.entities[0]['share-secret'] } })).status).toBe(
      401,
    );
    // A token of the app suffices: its own, or one of its users'.
    expect((await download(uuid, { authorization: `Bearer ${em.admin}` })).status).toBe(200);
    await em.call('POST', '/users', { body: { username: 'fileuser', password: 'p' }, contentType: 'application/json' });
    const login = await em.call('POST', '/token', {
      token: null,
      contentType: 'application/json',
      body: { grant_type: 'password', username: 'fileuser', password: 'p' },
    });
    const userToken = login.body.access_token as string;
    expect((await download(uuid, { authorization: `Bearer ${userToken}` })).status).toBe(200);
    // A user may upload too.
    expect((await upload(Buffer.from('voice'), { name: 'v.amr', type: 'audio/amr', token: userToken })).status).toBe(200);
    expect((await download('00000000-0000-4000-8000-000000000000', { authorization: `Bearer ${em.admin}` })).status).toBe(404);
  });

  it('serves what is not media as bytes to download, and bounds sizes per file and per app', async () => {
    const page = await upload(Buffer.from('<script>alert(1)</script>'), { name: '../../x.html', type: 'text/html' });
    const got = await download(page.body.entities[0].uuid, { authorization: `Bearer ${em.admin}` });
    expect(got.headers.get('content-type')).toBe('application/octet-stream');
    expect(got.headers.get('content-disposition')).toBe("attachment; filename*=UTF-8''x.html");
    const big = await upload(Buffer.alloc(300_000, 1), { name: 'big.bin', type: 'application/octet-stream' });
    expect(big.status).toBe(413);
    expect((await upload(Buffer.alloc(0))).status).toBe(400);
    const notMultipart = await em.call('POST', '/chatfiles', { body: { file: 'x' }, contentType: 'application/json' });
    expectEasemobError(notMultipart, 400, 'illegal_argument');
    expect((await upload(image, { token: null })).status).toBe(401);
    // The app's quota (600,000 bytes): fill it with files of 150,000 until one is refused.
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++)
      statuses.push((await upload(Buffer.alloc(150_000, i), { name: `f${i}.bin`, type: 'application/octet-stream' })).status);
    expect(statuses.filter((s) => s === 400).length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s !== 200 && s !== 400)).toEqual([]);
  });

  it('keeps the quota when uploads race: eight at once into an empty app store four (600,000 bytes) at most', async () => {
    const fresh = await easemobClient(server);
    const put = (i: number) => {
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(150_000).fill(i)], { type: 'application/octet-stream' }), `r${i}.bin`);
      return fetch(`${fresh.root}/chatfiles`, { method: 'POST', headers: { authorization: `Bearer ${fresh.admin}` }, body: form }).then(
        (r) => r.status,
      );
    };
    const raced = await Promise.all(Array.from({ length: 8 }, (_, i) => put(i)));
    expect(raced.filter((s) => s !== 200 && s !== 400)).toEqual([]);
    const stored = raced.filter((s) => s === 200).length;
    expect(stored).toBeGreaterThan(0);
    expect(stored).toBeLessThanOrEqual(4);
    // What the race refused left nothing behind: the rest of the quota is there to fill, and no more.
    let more = 0;
    while ((await put(8 + more)) === 200) more++;
    expect(stored + more).toBe(4);
  });

  it('sends image, audio, video and file messages that point at uploads, and reads back their secrets', async () => {
    const { body } = await upload(image);
    const { uuid, 'share-secret': secret } = body.entities[0];
    for (const username of ['pic_a', 'pic_b'])
      await em.call('POST', '/users', { body: { username, password: 'p' }, contentType: 'application/json' });
    const url = `${em.root}/chatfiles/${uuid}`;
    const msgs = [
      { type: 'img', url, filename: 'p.jpg', secret, size: { width: 640, height: 480 } },
      { type: 'audio', url, filename: 'v.amr', secret, length: 3 },
      { type: 'video', url, filename: 'm.mp4', secret, length: 5, thumb: url, thumb_secret: secret, file_length: 1000 },
      { type: 'file', url, filename: 'f.bin', secret },
    ];
    for (const msg of msgs) {
      const res = await em.call('POST', '/messages', {
        body: { target_type: 'users', target: ['pic_b'], msg, from: 'pic_a' },
        contentType: 'application/json',
      });
      expect({ type: msg.type, status: res.status, data: res.body.data }).toEqual({
        type: msg.type,
        status: 200,
        data: { pic_b: 'success' },
      });
    }
    const history = await em.call('GET', `/chatmessages?limit=10&ql=${encodeURIComponent("select * where from='pic_a'")}`);
    const bodies = history.body.entities.map((e: any) => e.payload.bodies[0]);
    expect(bodies).toEqual([
      { type: 'img', url, filename: 'p.jpg', secret, size: { width: 640, height: 480 } },
      { type: 'audio', url, filename: 'v.amr', secret, length: 3 },
      { type: 'video', url, filename: 'm.mp4', secret, length: 5, thumb: url, thumb_secret: secret, file_length: 1000 },
      { type: 'file', url, filename: 'f.bin', secret },
    ]);
  });
});
