/** Something that can be closed with a WebSocket close code and reason. */
export interface Closable {
  close(code: number, reason: string): void;
}

/**
 * Open authenticated live connections, per user, so that deactivation, deletion and forced
 * disconnects can close them from any surface.
 */
export function createConnectionRegistry(onChange: (appId: string, userId: string, online: boolean) => void = () => undefined) {
  const byUser = new Map<string, Set<Closable>>();
  const key = (appId: string, userId: string) => `${appId}:${userId}`;

  return {
    add(appId: string, userId: string, socket: Closable): () => void {
      const k = key(appId, userId);
      let set = byUser.get(k);
      if (!set) byUser.set(k, (set = new Set()));
      set.add(socket);
      if (set.size === 1) onChange(appId, userId, true);
      return () => {
        if (!set.delete(socket)) return;
        if (set.size === 0 && byUser.get(k) === set) {
          byUser.delete(k);
          onChange(appId, userId, false);
        }
      };
    },
    count(appId: string, userId: string): number {
      return byUser.get(key(appId, userId))?.size ?? 0;
    },
    /** Closes every connection of the user (4403: the graphql-ws "Forbidden" close code). */
    closeUser(appId: string, userId: string, reason = 'Forbidden'): number {
      const set = byUser.get(key(appId, userId));
      if (!set) return 0;
      const sockets = [...set];
      // Offline at once: the close handshake may take a while to complete.
      byUser.delete(key(appId, userId));
      set.clear();
      onChange(appId, userId, false);
      for (const s of sockets) s.close(4403, reason);
      return sockets.length;
    },
  };
}

export type ConnectionRegistry = ReturnType<typeof createConnectionRegistry>;
