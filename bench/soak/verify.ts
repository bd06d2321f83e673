import type { SoakFixtures } from './fixtures';
import { gqlOk as once } from './server';

/** The verification reads after the faults: a database still catching up answers 503 for a while. */
async function gqlOk(url: string, query: string, variables: Record<string, unknown>, token?: string) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await once(url, query, variables, token);
    } catch (e) {
      if (attempt >= 60) throw e;
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }
}
import type { TrafficLog } from './traffic';

const all = (log: TrafficLog) => [...log.acked.graphql, ...log.acked.easemob, ...log.acked.gobelieve, ...log.acked.robot];

/** Every message stored in the soak's conversations, by text (a text is unique to one send). */
export async function storedTexts(url: string, f: SoakFixtures): Promise<Map<string, number>> {
  const conversationIds = new Set<string>();
  for (const username of [...f.users.map((u) => u.username), '101', '102']) {
    const data = await gqlOk(
      url,
      `query($u: String!) { conversations(user: { username: $u }, first: 100) { edges { node { id } } } }`,
      { u: username },
      f.appToken,
    ).catch((e: unknown) => (console.error(`[soak] conversations of ${username}: ${String(e)}`), { conversations: { edges: [] } }));
    for (const e of data.conversations.edges) conversationIds.add(e.node.id);
  }
  const texts = new Map<string, number>();
  for (const c of conversationIds) {
    let after: string | null = null;
    for (;;) {
      const { messages } = await gqlOk(
        url,
        `query($c: ID!, $a: String) { messages(conversationId: $c, first: 100, after: $a) { edges { cursor node { text } } pageInfo { hasNextPage } } }`,
        { c, a: after },
        f.appToken,
      );
      for (const e of messages.edges) texts.set(e.node.text, (texts.get(e.node.text) ?? 0) + 1);
      if (!messages.pageInfo.hasNextPage || messages.edges.length === 0) break;
      after = messages.edges[messages.edges.length - 1].cursor;
    }
  }
  return texts;
}

/** Texts and event ids the receivers got: webhook bodies (IMFACADE format) and robot callbacks. */
export function received(webhook: string[], robot: string[]) {
  const hookTexts = new Map<string, number>();
  const eventIds = new Map<string, number>();
  for (const b of webhook) {
    const e = JSON.parse(b) as { eventId: string; data: { message: { text: string } } };
    hookTexts.set(e.data.message.text, (hookTexts.get(e.data.message.text) ?? 0) + 1);
    eventIds.set(e.eventId, (eventIds.get(e.eventId) ?? 0) + 1);
  }
  const robotTexts = new Map<string, number>();
  for (const b of robot) {
    const c = JSON.parse(b) as { payload?: { searchableContent?: string } };
    const t = c.payload?.searchableContent ?? '';
    robotTexts.set(t, (robotTexts.get(t) ?? 0) + 1);
  }
  return { hookTexts, eventIds, robotTexts };
}

/** Waits until the receivers have every acknowledged message (or `ms` passed). */
export async function drained(log: TrafficLog, webhook: string[], robot: string[], ms: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < ms) {
    const r = received(webhook, robot);
    if (all(log).every((t) => r.hookTexts.has(t)) && [...log.acked.robot].every((t) => r.robotTexts.has(t))) break;
    await new Promise((res) => setTimeout(res, 250));
  }
  return Date.now() - started;
}

/** Lost and duplicated acknowledged messages, and lost and duplicated deliveries per destination. */
export function compare(log: TrafficLog, stored: Map<string, number>, webhook: string[], robot: string[]) {
  const acked = all(log);
  const r = received(webhook, robot);
  return {
    acknowledged: acked.length,
    messagesLost: acked.filter((t) => !stored.has(t)).length,
    /** The first lost texts, so that a failure says which sends to look for. */
    lostTexts: acked.filter((t) => !stored.has(t)).slice(0, 10),
    messagesDuplicated: [...stored.values()].filter((n) => n > 1).length,
    storedWithoutAck: [...stored.keys()].filter((t) => !acked.includes(t)).length,
    webhook: {
      received: webhook.length,
      lost: acked.filter((t) => !r.hookTexts.has(t)).length,
      lostTexts: acked.filter((t) => !r.hookTexts.has(t)).slice(0, 10),
      duplicated: [...r.eventIds.values()].filter((n) => n > 1).length,
    },
    robot: {
      received: robot.length,
      lost: [...log.acked.robot].filter((t) => !r.robotTexts.has(t)).length,
      duplicated: [...r.robotTexts.values()].filter((n) => n > 1).length,
    },
  };
}
