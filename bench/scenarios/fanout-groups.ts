import { countCommands } from '../../src/db/commands';
import { lostOf, settle, subscriptionsReady, type FanoutTarget } from '../lib/fanout';
import { runHelper, startHelper } from '../lib/proc';

/**
 * Fan-out (a): 1,000 subscribers in 50 groups of 20, 500 messages/s spread over the groups: first
 * online-only notifications (the target: the send and fan-out path), then stored messages
 * (bounded by the database's send rate). Loss is counted against the sends the server acknowledged.
 */
export async function fanoutGroupsScenario(
  o: FanoutTarget & {
    groups: { conversationId: string; members: { username: string; token: string }[] }[];
  },
) {
  const { app, groups, seconds: T, quick } = o;
  const rate = o.tiny ? 50 : 500;
  const clients = groups.flatMap((g) => g.members.map((u) => ({ token: u.token, variables: { c: g.conversationId } })));
  const before = app.services.events.subscriptionCount();
  const subs = startHelper('drivers/ws-subscribers.js', {
    url: o.wsUrl,
    mode: 'graphql',
    clients,
    query: o.subscription,
    maxMessages: 2 * rate * T + 10,
  });
  await subs.ready;
  await subscriptionsReady(app, before, 2 * clients.length);
  const targets = groups.map((g) => ({ conversationId: g.conversationId, from: g.members[0]!.username }));
  let firstN = 0;

  async function run(notify: boolean) {
    const commands = countCommands(app.db.connection);
    const sender = await runHelper('drivers/sender.js', {
      url: o.gqlUrl,
      token: o.adminToken,
      targets,
      rate,
      seconds: T,
      firstN,
      maxInflight: 32,
      notify,
      grace: quick ? 3 : 15,
    });
    firstN += rate * T;
    await settle(subs, quick);
    subs.send('report');
    const got = await subs.next();
    commands.stop();
    return {
      sender: { sent: sender.sent, failed: sender.failed, firstError: sender.firstError },
      achievedRate: sender.achievedRate,
      databaseCommands: commands.byName,
      deliveries: got.received,
      expected: sender.sent * 20,
      deliveriesPerSecond: Math.round(got.received / Math.max(T, (got.lastAt - sender.startedAt) / 1000)),
      lost: lostOf(sender.acked, got.perMessage, 20),
      duplicated: got.duplicates,
      latencyMs: got.latency,
    };
  }
  const notifications = await run(true);
  const stored = await run(false);
  subs.send('stop');
  return {
    subscribers: clients.length,
    conversations: groups.length,
    rate,
    seconds: T,
    notifications,
    ...stored,
    target: 'notifications: p99 <= 50 ms, 0 lost, 0 duplicated',
  };
}
