import type { Connection } from 'mongoose';

/** Counts the commands a connection sends to the database, by command and collection ("find users"). */
export interface CommandCounter {
  readonly total: number;
  readonly byName: Readonly<Record<string, number>>;
  reset(): void;
  stop(): void;
}

export function countCommands(connection: Connection): CommandCounter {
  const client = connection.getClient();
  let byName: Record<string, number> = {};
  let total = 0;
  const onStarted = (event: { commandName: string; command: Record<string, unknown> }) => {
    total += 1;
    const target = event.command[event.commandName];
    const key = typeof target === 'string' ? `${event.commandName} ${target}` : event.commandName;
    byName[key] = (byName[key] ?? 0) + 1;
  };
  client.on('commandStarted', onStarted);
  return {
    get total() {
      return total;
    },
    get byName() {
      return byName;
    },
    reset() {
      total = 0;
      byName = {};
    },
    stop() {
      client.off('commandStarted', onStarted);
    },
  };
}
