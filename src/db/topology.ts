import type { Connection } from 'mongoose';

/**
 * True when the connection reaches a replica set or a sharded cluster (not a single server, such
 * as FerretDB or a standalone mongod): then writes that must survive a failover ask for a
 * majority. Known once the connection is open.
 */
export function hasReplicas(connection: Connection): boolean {
  const type = (connection.getClient() as unknown as { topology?: { description?: { type?: string } } }).topology?.description?.type;
  return !!type && (type.startsWith('ReplicaSet') || type === 'Sharded');
}
