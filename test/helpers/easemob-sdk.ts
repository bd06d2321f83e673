export { loadSdk, unloadSdk, type SdkName } from '../../bench/lib/sdk';

export interface Received {
  text: any[];
  custom: any[];
  cmd: any[];
  location: any[];
  recall: any[];
  read: any[];
  delivered: any[];
  channel: any[];
  errors: any[];
  connected: number;
  disconnected: number;
}

/** One SDK connection configured only by its URLs and app key, recording what its handlers hear. */
export function sdkClient(sdk: any, opts: { appKey: string; url: string; apiUrl: string; delivery?: boolean }) {
  const conn = new sdk.connection({ appKey: opts.appKey, url: opts.url, apiUrl: opts.apiUrl, isHttpDNS: false, delivery: opts.delivery });
  const got: Received = {
    text: [],
    custom: [],
    cmd: [],
    location: [],
    recall: [],
    read: [],
    delivered: [],
    channel: [],
    errors: [],
    connected: 0,
    disconnected: 0,
  };
  conn.addEventHandler('test', {
    onConnected: () => got.connected++,
    onDisconnected: () => got.disconnected++,
    onTextMessage: (m: any) => got.text.push(m),
    onCustomMessage: (m: any) => got.custom.push(m),
    onCmdMessage: (m: any) => got.cmd.push(m),
    onLocationMessage: (m: any) => got.location.push(m),
    onRecallMessage: (m: any) => got.recall.push(m),
    onReadMessage: (m: any) => got.read.push(m),
    onDeliveredMessage: (m: any) => got.delivered.push(m),
    onChannelMessage: (m: any) => got.channel.push(m),
    onError: (e: any) => got.errors.push(e),
  });
  /** Sends one message built with the SDK's own message factory; resolves with its server id. */
  async function send(o: Record<string, unknown>): Promise<{ localMsgId: string; serverMsgId: string }> {
    const message = sdk.message.create({ chatType: 'singleChat', ...o });
    return conn.send(message);
  }
  return { conn, got, send };
}

/** Waits for `check` to hold, polling: no fixed sleeps. */
export async function until<T>(check: () => T | undefined | false, what: string, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
