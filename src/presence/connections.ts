/** Something that can be closed with a WebSocket close code and reason. */
export interface Closable {
  close(code: number, reason: string): void;
}

/**
 * This instance's open authenticated live connections, per user, so that deactivation, deletion
 * and forced disconnects can close them from any surface. Every change of a user's count is
 * reported (presence/directory.ts), which makes presence for the deployment.
 */
export function createConnectionRegistry(report: (appId: string, userId: string, count: number) => void = () => undefined) {
  const byUser = new Map<string, { appId: string; userId: string; sockets: Set<Closable> }>();
  const key = (appId: string, userId: string) => `${appId}:${userId}`;

  return {
    add(appId: string, userId: string, socket: Closable): () => void {
      const k = key(appId, userId);
      let entry = byUser.get(k);
      if (!entry) byUser.set(k, (entry = { appId, userId, sockets: new Set() }));
      const { sockets } = entry;
      sockets.add(socket);
      report(appId, userId, sockets.size);
      return () => {
        if (!sockets.delete(socket)) return;
        if (sockets.size === 0 && byUser.get(k)?.sockets === sockets) byUser.delete(k);
        report(appId, userId, sockets.size);
      };
    },
    count(appId: string, userId: string): number {
      return byUser.get(key(appId, userId))?.sockets.size ?? 0;
    },
    /** Every user with live connections here and how many (what the directory re-learns after an outage). */
    *entries(): Generator<{ appId: string; userId: string; count: number }> {
      for (const { appId, userId, sockets } of byUser.values()) yield { appId, userId, count: sockets.size };
    },
    /** Closes every connection of the user here (4403: the graphql-ws "Forbidden" close code). */
    closeUser(appId: string, userId: string, reason = 'Forbidden'): number {
      const entry = byUser.get(key(appId, userId));
      if (!entry) return 0;
      const sockets = [...entry.sockets];
      // Offline at once: the close handshake may take a while to complete.
      byUser.delete(key(appId, userId));
      entry.sockets.clear();
      report(appId, userId, 0);
      for (const s of sockets) s.close(4403, reason);
      return sockets.length;
    },
  };
}

export type ConnectionRegistry = ReturnType<typeof createConnectionRegistry>;
