import type { ConversationService } from '../conversations/service';
import type { RequestContext } from '../domain/context';
import type { DomainEvent } from '../events/catalog';
import { invalidInput } from '../domain/errors';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from './records';

/** The facade's own envelope: every event type, in one shape. */
export const OWN_FORMAT = 'imfacade';

/**
 * Writes an event in a dialect's callback format for a subscription whose secret is given (some
 * sign inside the body); null: that format has nothing to say about this event.
 */
export type WebhookFormatter = (e: DomainEvent, secret: string) => Promise<string | null>;

/** What a format's writer may read: a context of the event's app (its loaders) and the rosters. */
export interface FormatterDeps {
  conversations: Pick<ConversationService, 'rosterOf'>;
  appContext(appId: string): RequestContext;
}

/** A callback format an adapter registers with the outbox: its name, the events it has callbacks for, its writer. */
export interface WebhookFormatPlugin {
  name: string;
  events: readonly WebhookEventType[];
  create(deps: FormatterDeps): WebhookFormatter;
}

/** The formats a subscription may ask for: the own one and every registered plugin's. */
export function createFormatRegistry(plugins: readonly WebhookFormatPlugin[]) {
  const byName = new Map(plugins.map((p) => [p.name, p]));
  const names = [OWN_FORMAT, ...byName.keys()];
  return {
    names,
    /** The format a subscription asks for, checked against the events it subscribes to. */
    check(format: string, types: readonly WebhookEventType[]): string {
      if (!names.includes(format)) throw invalidInput(`format must be one of ${names.join(', ')}`, 'format');
      const allowed = byName.get(format)?.events ?? WEBHOOK_EVENT_TYPES;
      const other = types.filter((t) => !allowed.includes(t));
      if (other.length)
        throw invalidInput(`the ${format} format has no callback for ${other.join(', ')}; it carries ${allowed.join(', ')}`, 'eventTypes');
      return format;
    },
    /** The writers, by name, built once. */
    writers(deps: FormatterDeps): Map<string, WebhookFormatter> {
      return new Map(plugins.map((p) => [p.name, p.create(deps)]));
    },
  };
}

export type FormatRegistry = ReturnType<typeof createFormatRegistry>;
