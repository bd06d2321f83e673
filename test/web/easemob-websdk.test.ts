import type { Browser, Page } from 'playwright-core';
import { launchBrowser, servePageOrigin } from '../helpers/browser';
import { provisionApp, startTestServer, type TestServer } from '../helpers/harness';

type Outcome = { ok: boolean; data?: any; error?: any };

// Issue 17: the vendor's own published web SDK (npm easemob-websdk), loaded in Chromium on another
// origin and pointed at the facade, as a legacy frontend would be: registration, password login
// (the token, then the msync socket: test/web/easemob-msync.test.ts chats over it) and its REST
// calls with the user's token.
describe('the Easemob web SDK against the facade', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let origin: Awaited<ReturnType<typeof servePageOrigin>>;
  let appKey: string;
  let appToken: string;

  beforeAll(async () => {
    origin = await servePageOrigin();
    server = await startTestServer({ CORS_ORIGINS: `http://127.0.0.1:${origin.port}` });
    const app = await provisionApp(server, undefined, true);
    appKey = `${app.easemob.orgName}#${app.easemob.appName}`;
    const grant = await fetch(`${server.url}/easemob/${app.easemob.orgName}/${app.easemob.appName}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: app.easemob.clientId, client_secret: app.easemob.clientSecret }),
    });
    appToken = ((await grant.json()) as { access_token: string }).access_token;
    browser = await launchBrowser();
    page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${origin.port}/`);
    await page.addScriptTag({ path: require.resolve('easemob-websdk') });
    // One SDK connection per user, in the page; `run` calls one SDK method and records the outcome.
    await page.evaluate(
      ({ appKey, apiUrl }) => {
        const w = globalThis as any;
        w.websdk.logger?.disableAll?.();
        w.conns = {};
        w.connect = (user: string) =>
          (w.conns[user] = new w.websdk.connection({ appKey, isHttpDNS: false, url: apiUrl.replace(/^http/, 'ws') + '/ws', apiUrl }));
        w.run = async (user: string, method: string, arg?: unknown) => {
          try {
            return { ok: true, data: await w.conns[user][method](arg) };
          } catch (e) {
            return { ok: false, error: JSON.parse(JSON.stringify(e)) };
          }
        };
      },
      { appKey, apiUrl: `${server.url}/easemob` },
    );
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await origin?.close();
  });

  const connect = (user: string) => page.evaluate((u) => void (globalThis as any).connect(u), user);
  const run = (user: string, method: string, arg?: unknown): Promise<Outcome> =>
    page.evaluate(([u, m, a]) => (globalThis as any).run(u, m, a), [user, method, arg] as const);
  const ok = async (user: string, method: string, arg?: unknown) => {
    const r = await run(user, method, arg);
    if (!r.ok) throw new Error(`${method} failed: ${JSON.stringify(r.error)}`);
    return r.data;
  };

  it('registers and logs in: the token is granted and the msync socket opens', async () => {
    for (const user of ['alice', 'bob', 'carol']) {
      await connect(user);
      const registered = await ok(user, 'registerUser', { username: user, password: 'pw-123456', nickname: user.toUpperCase() });
      expect(registered.entities[0]).toMatchObject({ username: user, nickname: user.toUpperCase(), activated: true });
      const login = await run(user, 'open', { user, pwd: 'pw-123456' });
      expect(login.ok).toBe(true);
      expect(await page.evaluate((u) => !!(globalThis as any).conns[u].context.accessToken, user)).toBe(true);
    }
    const wrong = await page.evaluate(async () => {
      const w = globalThis as any;
      const c = new w.websdk.connection({
        appKey: w.conns.alice.appKey,
        isHttpDNS: false,
        url: 'ws://127.0.0.1:9/',
        apiUrl: w.conns.alice.apiUrl,
      });
      try {
        await c.open({ user: 'alice', pwd: 'wrong-password' });
        return 'opened';
      } catch (e) {
        return JSON.stringify(e);
      }
    });
    expect(wrong).toMatch(/invalid_grant|password/i);
  });

  it('runs a group through the SDK: create, info, members, invite, admin, announcement, leave, destroy', async () => {
    const created = await ok('alice', 'createGroup', {
      data: { groupname: 'weekend', desc: 'plans', members: ['bob'], public: false, approval: false, allowinvites: true, maxusers: 20 },
    });
    const groupId = created.data.groupid as string;
    expect(groupId).toMatch(/^\d+$/);
    const info = await ok('bob', 'getGroupInfo', { groupId });
    expect(info.data[0]).toMatchObject({ id: groupId, name: 'weekend', description: 'plans', owner: 'alice' });
    const joined = await ok('bob', 'getJoinedGroups', { pageNum: 1, pageSize: 20 });
    expect(joined.data.map((g: any) => g.groupid)).toContain(groupId);
    const detailed = await ok('bob', 'getJoinedGroups', { pageNum: 0, pageSize: 20, needAffiliations: true, needRole: true });
    expect(detailed.entities).toEqual([
      expect.objectContaining({ groupId, groupName: 'weekend', affiliationsCount: 2, role: 'member', description: 'plans', maxUsers: 20 }),
    ]);
    await ok('bob', 'inviteUsersToGroup', { groupId, users: ['carol'] });
    const members = await ok('carol', 'listGroupMembers', { groupId, pageNum: 1, pageSize: 20 });
    expect(members.data).toEqual([{ owner: 'alice' }, { member: 'bob' }, { member: 'carol' }]);
    // A member may not rename the group; its owner may.
    expect((await run('bob', 'modifyGroup', { groupId, groupName: 'mine' })).ok).toBe(false);
    await ok('alice', 'modifyGroup', { groupId, groupName: 'long weekend', description: 'new plans' });
    await ok('alice', 'setGroupAdmin', { groupId, username: 'bob' });
    expect((await ok('carol', 'getGroupAdmin', { groupId })).data).toEqual(['bob']);
    await ok('bob', 'updateGroupAnnouncement', { groupId, announcement: 'Saturday 9:00' });
    expect((await ok('carol', 'fetchGroupAnnouncement', { groupId })).data).toEqual({ announcement: 'Saturday 9:00' });
    await ok('carol', 'leaveGroup', { groupId });
    expect((await ok('alice', 'listGroupMembers', { groupId, pageNum: 1, pageSize: 20 })).data).toHaveLength(2);
    expect((await run('bob', 'destroyGroup', { groupId })).ok).toBe(false);
    await ok('alice', 'destroyGroup', { groupId });
    const publicOnes = await ok('carol', 'getPublicGroups', { limit: 20 });
    expect(publicOnes.data.map((g: any) => g.groupid)).not.toContain(groupId);
  });

  it('runs a chat room through the SDK: the app makes it, any user reads it, its owner and admins run it', async () => {
    const created = await ok('alice', 'createChatRoom', {
      name: 'lobby',
      description: 'say hi',
      maxusers: 50,
      members: ['bob', 'carol'],
      token: appToken, // the SDK lets a super admin's token make rooms; a user's may not
    });
    const chatRoomId = created.data.id as string;
    expect((await run('bob', 'createChatRoom', { name: 'mine', description: '', maxusers: 5, members: [] })).ok).toBe(false);
    const listed = await ok('carol', 'getChatRooms', { pagenum: 1, pagesize: 20 });
    expect(listed.data.map((r: any) => r.id)).toContain(chatRoomId);
    expect((await ok('bob', 'getChatRoomDetails', { chatRoomId })).data[0]).toMatchObject({ id: chatRoomId, name: 'lobby', maxusers: 50 });
    const members = await ok('bob', 'listChatRoomMembers', { chatRoomId, pageNum: 1, pageSize: 20 });
    expect(members.data.map((m: any) => m.member ?? m.owner).sort()).toEqual(['alice', 'bob', 'carol']);
    expect((await run('bob', 'modifyChatRoom', { chatRoomId, chatRoomName: 'mine' })).ok).toBe(false);
    await ok('alice', 'setChatRoomAdmin', { chatRoomId, username: 'bob' });
    expect((await ok('carol', 'getChatRoomAdmin', { chatRoomId })).data).toEqual(['bob']);
    await ok('bob', 'updateChatRoomAnnouncement', { roomId: chatRoomId, announcement: 'welcome' });
    expect((await ok('carol', 'fetchChatRoomAnnouncement', { roomId: chatRoomId })).data).toMatchObject({ announcement: 'welcome' });
    expect((await run('carol', 'removeChatRoomMember', { chatRoomId, username: 'bob' })).ok).toBe(false);
    await ok('bob', 'removeChatRoomMember', { chatRoomId, username: 'carol' });
    await ok('alice', 'modifyChatRoom', { chatRoomId, chatRoomName: 'main lobby' });
    expect((await run('bob', 'destroyChatRoom', { chatRoomId })).ok).toBe(false);
    await ok('alice', 'destroyChatRoom', { chatRoomId });
  });

  it('reads and edits the user’s own contacts, blocklist and nickname', async () => {
    // A contact added with alice's own token over plain REST, as a backend-less frontend would.
    const token = await page.evaluate(() => (globalThis as any).conns.alice.context.accessToken as string);
    const [org, app] = appKey.split('#');
    const added = await fetch(`${server.url}/easemob/${org}/${app}/users/alice/contacts/users/bob`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(added.status).toBe(200);
    expect((await ok('alice', 'getContacts')).data).toEqual(['bob']);
    expect((await ok('alice', 'getBlocklist')).data).toEqual([]);
    const nick = await ok('alice', 'updateCurrentUserNick', 'Alice A.');
    expect(nick.entities[0]).toMatchObject({ username: 'alice', nickname: 'Alice A.' });
  });

  it("uploads a file with the SDK's own uploader and shows it by the URL the SDK makes (share-secret in the query)", async () => {
    const result = await page.evaluate(
      async ({ apiUrl, appKey }) => {
        const w = globalThis as any;
        const conn = w.conns.alice;
        // A real PNG drawn in the page (the image an app would attach).
        const canvas = w.document.createElement('canvas');
        canvas.width = 320;
        canvas.height = 200;
        canvas.getContext('2d').fillRect(0, 0, 320, 200);
        const blob: Blob = await new Promise((r) => canvas.toBlob((b: Blob) => r(b), 'image/png'));
        const file = new File([blob], 'drawing.png', { type: 'image/png' });
        const uploaded: any = await new Promise((resolve, reject) =>
          w.websdk.utils.uploadFile({
            file: { data: file, filename: 'drawing.png', filetype: 'png' },
            apiUrl,
            appKey,
            to: 'bob',
            accessToken: conn.context.accessToken,
            onFileUploadComplete: resolve,
            onFileUploadError: reject,
          }),
        );
        const entity = uploaded.entities[0];
        const [org, app] = appKey.split('#');
        const url = `${apiUrl}/${org}/${app}/chatfiles/${entity.uuid}?em-redirect=true&share-secret=${entity['share-secret']}`;
        const size = (src: string) =>
          new Promise<number[]>((resolve) => {
            const img = new w.Image();
            img.onload = () => resolve([img.naturalWidth, img.naturalHeight]);
            img.onerror = () => resolve([0, 0]);
            img.src = src;
          });
        return {
          type: entity.type,
          full: await size(url),
          thumbnail: await size(`${url}&thumbnail=true`),
          withoutSecret: await size(`${apiUrl}/${org}/${app}/chatfiles/${entity.uuid}`),
        };
      },
      { apiUrl: `${server.url}/easemob`, appKey },
    );
    expect(result).toEqual({ type: 'chatfile', full: [320, 200], thumbnail: [170, 106], withoutSecret: [0, 0] });
  });
});
