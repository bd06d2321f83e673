import type { Log } from '../../../domain/context';
import type { KitDeps } from '../../kit/deps';
import type { TokenBuckets } from '../../kit/token-bucket';
import type { MsyncSettings } from '../config';
import type { EasemobCredentials } from '../credentials';

/** Counts a user's open sockets on this instance; `add` answers undefined when one more is too many. */
export interface DeviceCount {
  add(userKey: string): (() => void) | undefined;
}

/** What every msync session is built with. */
export interface MsyncDeps {
  kit: KitDeps;
  kind: EasemobCredentials;
  settings: MsyncSettings;
  /** Messages and acks per second per user (EASEMOB_MSYNC_SENDS_PER_SECOND). */
  sends: TokenBuckets;
  devices: DeviceCount;
  log: Log;
}

export function createDeviceCount(max: number): DeviceCount {
  const open = new Map<string, number>();
  return {
    add(key) {
      const n = open.get(key) ?? 0;
      if (n >= max) return undefined;
      open.set(key, n + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const left = (open.get(key) ?? 1) - 1;
        if (left > 0) open.set(key, left);
        else open.delete(key);
      };
    },
  };
}
