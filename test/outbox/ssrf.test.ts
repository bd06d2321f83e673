import { isPublicAddress } from '../../src/outbox/address-guard';
import { errorCode, provisionApp, startTestServer, type TestServer } from '../helpers/harness';
import { startReceiver } from '../helpers/receiver';
import { CreateWebhookDocument, DeliveriesDocument, SendOutboundDocument, SetGatewayDocument } from '../generated/documents';
import { OUTBOX_TEST_ENV, eventually } from './helpers';

describe('the SSRF guard', () => {
  it('allows public unicast addresses only', () => {
    for (const a of ['8.8.8.8', '2606:4700::1111', '93.184.215.14']) expect([a, isPublicAddress(a)]).toEqual([a, true]);
    const refused = ['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.100.100.200', '0.0.0.0', '::1', '::'];
    const more = [
      'fe80::1',
      'fd00:ec2::254',
      '::ffff:127.0.0.1',
      '::ffff:10.0.0.1',
      '64:ff9b::7f00:1',
      '224.0.0.1',
      '255.255.255.255',
      'nonsense',
    ];
    for (const a of [...refused, ...more]) expect([a, isPublicAddress(a)]).toEqual([a, false]);
  });

  it('judges every IPv4-embedding IPv6 form by the IPv4 address it carries', () => {
    const carryingPrivate = [
      '::127.0.0.1', // IPv4-compatible: dialled as 127.0.0.1 by stacks that still route it
      '::7f00:1',
      '::a00:1',
      '::ffff:0:127.0.0.1', // IPv4-translated
      '64:ff9b::a00:1', // NAT64 well-known prefix
      '64:ff9b:1::a9fe:a9fe', // NAT64 local-use prefix, 169.254.169.254
      '2002:7f00:1::1', // 6to4 of 127.0.0.1
      '2002:a9fe:a9fe::', // 6to4 of the metadata address
      '2001:0:4136:e378:8000:63bf:80ff:fffe', // Teredo, client 127.0.0.1 inverted
    ];
    for (const a of carryingPrivate) expect([a, isPublicAddress(a)]).toEqual([a, false]);
    for (const a of ['::ffff:8.8.8.8', '64:ff9b::808:808', '2002:808:808::1']) expect([a, isPublicAddress(a)]).toEqual([a, true]);
  });

  describe('without OUTBOX_ALLOW_PRIVATE', () => {
    let server: TestServer;
    let app: Awaited<ReturnType<typeof provisionApp>>;
    let receiver: Awaited<ReturnType<typeof startReceiver>>;

    beforeAll(async () => {
      server = await startTestServer({ ...OUTBOX_TEST_ENV, OUTBOX_ALLOW_PRIVATE: 'false' });
      app = await provisionApp(server);
      receiver = await startReceiver();
    });
    afterAll(async () => {
      await server.close();
      await receiver.close();
    });

    it('refuses a URL to a private address literal when it is saved, with a clear error', async () => {
      const port = new URL(receiver.url).port;
      for (const url of [
        `http://127.0.0.1:${port}/h`,
        `http://[::1]:${port}/h`,
        `http://[::127.0.0.1]:${port}/h`,
        'http://169.254.169.254/latest',
        'http://10.0.0.8/',
        'http://0x7f.1/',
      ]) {
        const res = await server.gql(CreateWebhookDocument, { input: { url, eventTypes: ['message.created'] } }, app.token);
        expect([url, errorCode(res)]).toEqual([url, 'INVALID_INPUT']);
        expect(res.body.errors![0]!.extensions!.reason).toBe('private_destination');
        expect(res.body.errors![0]!.message).toMatch(/is not public; refused \(set OUTBOX_ALLOW_PRIVATE=true/);
      }
      const gw = await server.gql(SetGatewayDocument, { input: { channel: 'SMS', url: `http://127.0.0.1:${port}/sms` } }, app.token);
      expect(errorCode(gw)).toBe('INVALID_INPUT');
    });

    it('checks again at connect time: a name that resolves to loopback is refused when dialled', async () => {
      const url = receiver.url.replace('127.0.0.1', 'localhost');
      await server.ok(SetGatewayDocument, { input: { channel: 'SMS', url: `${url}/sms` } }, app.token);
      const { sendOutboundMessage } = await server.ok(
        SendOutboundDocument,
        { input: { channel: 'SMS', destination: '+1555', payload: '{}' } },
        app.token,
      );
      const failed = await eventually(async () => {
        const { deliveries } = await server.ok(DeliveriesDocument, { channels: ['SMS'] }, app.token);
        const d = deliveries.nodes.find((n) => n.id === sendOutboundMessage.id);
        return d?.lastError ? d : undefined;
      });
      expect(failed.state).toMatch(/FAILED|SENDING|DEAD/);
      expect(failed.lastError).toMatchObject({
        status: null,
        message: expect.stringMatching(/destination address (127\.0\.0\.1|::1) is not public; refused/),
      });
      expect(receiver.received).toHaveLength(0);
    });
  });
});
