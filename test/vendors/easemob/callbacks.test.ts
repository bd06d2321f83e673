import crypto from 'node:crypto';
import { errorCode, startTestServer, type TestServer } from '../../helpers/harness';
import { startReceiver } from '../../helpers/receiver';
import { CreateWebhookDocument } from '../../generated/documents';
import { OUTBOX_TEST_ENV } from '../../outbox/helpers';
import { easemobClient, type EasemobClient } from './helpers';

/** What a receiver written for the vendor checks: MD5 of callId + secret + timestamp. */
const vendorSecurity = (b: { callId: string; timestamp: number }, secret: string) =>
  crypto.createHash('md5').update(`${b.callId}${secret}${b.timestamp}`).digest('hex');

// Issue 17: webhooks in Easemob's post-send callback format, for legacy callback receivers.
describe('Easemob callbacks', () => {
  let server: TestServer;
  let em: EasemobClient;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let secret: string;
  const json = (method: string, path: string, body?: unknown) =>
    em.call(method, path, { contentType: 'application/json', ...(body === undefined ? {} : { body }) });

  beforeAll(async () => {
    server = await startTestServer(OUTBOX_TEST_ENV);
    receiver = await startReceiver();
    em = await easemobClient(server);
    await json(
      'POST',
      '/users',
      ['ann', 'ben'].map((username) => ({ username, password: 'secret-pass' })),
    );
    const { createWebhookSubscription: sub } = await server.ok(
      CreateWebhookDocument,
      { input: { url: `${receiver.url}/easemob`, eventTypes: ['message.created', 'message.recalled'], format: 'EASEMOB' } },
      em.app.token,
    );
    expect(sub.format).toBe('EASEMOB');
    secret = sub.secret!;
  });
  afterAll(async () => {
    await server.close();
    await receiver.close();
  });

  it('posts a one-to-one message as the vendor’s callback, signed as the vendor signs', async () => {
    const sent = await json('POST', '/messages/users', { from: 'ann', to: ['ben'], type: 'txt', body: { msg: 'hi' }, ext: { k: 'v' } });
    const [req] = await receiver.waitFor(1);
    const body = JSON.parse(req!.body);
    const appkey = `${em.orgName}#${em.appName}`;
    expect(body).toEqual({
      callId: expect.stringMatching(new RegExp(`^${appkey}_[0-9a-f-]{36}$`)),
      timestamp: expect.any(Number),
      from: 'ann',
      to: 'ben',
      msg_id: sent.body.data.ben,
      eventType: 'chat',
      chat_type: 'chat',
      payload: { ext: { k: 'v' }, bodies: [{ type: 'txt', msg: 'hi' }] },
      securityVersion: '1.0.0',
      security: vendorSecurity(body, secret),
      appkey,
      host: expect.any(String),
    });
    expect(vendorSecurity(body, 'another-secret-0123456789')).not.toBe(body.security);
    // The facade's own signature header comes along too.
    expect(String(req!.headers['x-imfacade-signature'])).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
  });

  it('posts group and room messages as groupchat with group_id, and a recall as the vendor’s recall callback', async () => {
    const gid = (await json('POST', '/chatgroups', { groupname: 'g', owner: 'ann', members: ['ben'] })).body.data.groupid;
    const rid = (await json('POST', '/chatrooms', { name: 'r', owner: 'ann' })).body.data.id;
    const toGroup = await json('POST', '/messages/chatgroups', { from: 'ben', to: [gid], type: 'cmd', body: { action: 'sync' } });
    await receiver.waitFor(2);
    await json('POST', '/messages/chatrooms', { from: 'ann', to: [rid], type: 'txt', body: { msg: 'room' } });
    await receiver.waitFor(3);
    const msgId = toGroup.body.data[gid];
    expect((await json('POST', '/messages/msg_recall', { msg_id: msgId, to: gid, chat_type: 'groupchat', from: 'ben' })).status).toBe(200);
    const all = (await receiver.waitFor(4)).map((r) => JSON.parse(r.body));
    expect(all[1]).toMatchObject({
      chat_type: 'groupchat',
      group_id: gid,
      to: gid,
      from: 'ben',
      payload: { bodies: [{ type: 'cmd', action: 'sync' }] },
    });
    expect(all[2]).toMatchObject({ chat_type: 'groupchat', group_id: rid, to: rid, payload: { bodies: [{ type: 'txt', msg: 'room' }] } });
    expect(all[3]).toMatchObject({
      chat_type: 'recall',
      eventType: 'chat',
      recall_id: msgId,
      msg_id: msgId,
      from: 'ben',
      to: gid,
      payload: { ext: {}, ack_message_id: msgId, bodies: [] },
    });
    expect(all[3].security).toBe(vendorSecurity(all[3], secret));
  });

  it('refuses the Easemob format for events the vendor has no callback for', async () => {
    const res = await server.gql(
      CreateWebhookDocument,
      { input: { url: `${receiver.url}/x`, eventTypes: ['user.created'], format: 'EASEMOB' } },
      em.app.token,
    );
    expect(errorCode(res)).toBe('INVALID_INPUT');
    expect(res.body.errors?.[0]?.message).toMatch(/easemob format has no callback for user\.created/);
  });
});
