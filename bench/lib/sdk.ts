import WebSocket from 'ws';

/**
 * The vendor's published client SDKs (`easemob-websdk`, `agora-chat`) run headless in Node, as the
 * tests and the bench drive them: the browser globals they read, `ws` as their WebSocket.
 */
export type SdkName = 'easemob-websdk' | 'agora-chat';

const unloads: (() => void)[] = [];

/** What a page's unload does to the SDK: its timers stop (call after closing the connections). */
export function unloadSdk() {
  for (const fn of unloads.splice(0)) fn();
}

export function loadSdk(name: SdkName = 'easemob-websdk'): any {
  const g = globalThis as any;
  g.self ??= g;
  g.window ??= g;
  const store = new Map<string, string>();
  g.localStorage ??= {
    getItem: (k: string) => store.get(k) ?? null,
    setItem: (k: string, v: string) => void store.set(k, String(v)),
    removeItem: (k: string) => void store.delete(k),
    clear: () => store.clear(),
  };
  // The SDK opens `new WebSocket(url)` with binaryType "arraybuffer": ws speaks the same interface.
  // As in a browser, a socket's error is an event, never an exception: the SDK listens to `close`.
  g.WebSocket = class extends WebSocket {
    constructor(...args: ConstructorParameters<typeof WebSocket>) {
      super(...args);
      this.on('error', () => undefined);
    }
  };
  // Its per-connection timers stop on the page's `beforeunload`: unloadSdk() plays that part.
  g.addEventListener ??= (type: string, fn: () => void) => type === 'beforeunload' && unloads.push(fn);
  // agora-chat watches the page's visibility; a page that stays visible.
  if (name === 'agora-chat')
    g.document ??= { addEventListener: () => undefined, removeEventListener: () => undefined, visibilityState: 'visible', hidden: false };
  const mod = require(name);
  const sdk = mod.default ?? mod;
  sdk.logger?.disableAll?.();
  return sdk;
}
