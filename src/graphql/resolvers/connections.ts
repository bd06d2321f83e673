/** Relay page info of a connection built by a service (edges with cursors, and whether more follow or precede). */
export function pageInfo<T>(c: { edges: { cursor: string; node: T }[]; hasNextPage: boolean; hasPreviousPage: boolean }) {
  return {
    hasNextPage: c.hasNextPage,
    hasPreviousPage: c.hasPreviousPage,
    startCursor: c.edges[0]?.cursor ?? null,
    endCursor: c.edges[c.edges.length - 1]?.cursor ?? null,
  };
}
