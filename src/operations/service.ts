import type { AppService } from '../apps/service';
import type { ConversationService } from '../conversations/service';
import type { MessageService } from '../messages/service';
import type { UserService } from '../users/service';
import type { AppRecord } from '../apps/records';
import type { RequestContext } from '../domain/context';
import { forbidden, invalidInput } from '../domain/errors';
import { metricsOn, metricValues } from '../observability/metrics';
import { recentErrors, type RecentError } from '../observability/recent-errors';
import { refreshBacklog } from '../observability/outbox';

/** The operator console's figures: the process's own counters, the same numbers /metrics shows. */
export interface ServerFigures {
  at: Date;
  recording: boolean;
  sockets: number;
  subscriptions: number;
  messagesSent: number;
  requests: number;
  errors: number;
  refusals: number;
  deliveriesPending: number;
  deliveriesDead: number;
  surfaces: { surface: string; requests: number; errors: number }[];
  refusalsByLimit: { limit: string; refusals: number }[];
}

export interface AppOverviewRecord {
  app: AppRecord;
  users: number;
  conversations: number;
  messages: number;
}

const MAX_APPS = 200;
const OK = /^(OK|[123]\d\d)$/;

function requireOperator(ctx: RequestContext) {
  if (ctx.principal.kind !== 'operator') throw forbidden('only the operator sees the server figures');
}

const sum = (rows: { value: number }[]) => rows.reduce((n, r) => n + r.value, 0);

/** Operator-only views of the whole server: its live figures, recent errors, and every app with its counts. */
export function createOperationsService(deps: {
  apps: AppService;
  users: UserService;
  conversations: ConversationService;
  messages: MessageService;
}) {
  return {
    async figures(ctx: RequestContext): Promise<ServerFigures> {
      requireOperator(ctx);
      refreshBacklog();
      const [sockets, subscriptions, events, requests, refusals, deliveries] = await Promise.all(
        [
          'imfacade_live_sockets',
          'imfacade_live_subscriptions',
          'imfacade_events_published_total',
          'imfacade_requests_total',
          'imfacade_limit_refusals_total',
          'imfacade_outbox_deliveries',
        ].map(metricValues),
      );
      const bySurface = new Map<string, { surface: string; requests: number; errors: number }>();
      for (const r of requests!) {
        const surface = String(r.labels.surface);
        const entry = bySurface.get(surface) ?? { surface, requests: 0, errors: 0 };
        entry.requests += r.value;
        if (!OK.test(String(r.labels.code))) entry.errors += r.value;
        bySurface.set(surface, entry);
      }
      const surfaces = [...bySurface.values()].sort((a, b) => a.surface.localeCompare(b.surface));
      return {
        at: new Date(),
        recording: metricsOn(),
        sockets: sum(sockets!),
        subscriptions: sum(subscriptions!),
        messagesSent: sum(events!.filter((e) => e.labels.type === 'message.added')),
        requests: surfaces.reduce((n, s) => n + s.requests, 0),
        errors: surfaces.reduce((n, s) => n + s.errors, 0),
        refusals: sum(refusals!),
        deliveriesPending: sum(deliveries!.filter((d) => d.labels.state !== 'dead')),
        deliveriesDead: sum(deliveries!.filter((d) => d.labels.state === 'dead')),
        surfaces,
        refusalsByLimit: refusals!.map((r) => ({ limit: String(r.labels.limit), refusals: r.value })),
      };
    },

    recentErrors(ctx: RequestContext, first: number, surface?: string | null): RecentError[] {
      requireOperator(ctx);
      if (!Number.isInteger(first) || first < 1 || first > 200) throw invalidInput('first must be 1 to 200', 'first');
      return recentErrors(first, surface);
    },

    async appOverview(ctx: RequestContext, first: number): Promise<AppOverviewRecord[]> {
      requireOperator(ctx);
      if (!Number.isInteger(first) || first < 1 || first > MAX_APPS) throw invalidInput(`first must be 1 to ${MAX_APPS}`, 'first');
      const apps = (await deps.apps.list(ctx)).slice(0, first);
      // Each area counts its own, one aggregate for every app at once.
      const [users, conversations, messages] = await Promise.all(
        [deps.users, deps.conversations, deps.messages].map((area) => area.countPerApp()),
      );
      return apps.map((app) => ({
        app,
        users: users!.get(app.id) ?? 0,
        conversations: conversations!.get(app.id) ?? 0,
        messages: messages!.get(app.id) ?? 0,
      }));
    },
  };
}

export type OperationsService = ReturnType<typeof createOperationsService>;
