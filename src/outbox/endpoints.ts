import type { DeliveryDoc } from './model';
import { IM, ROBOT, WEBHOOK } from './records';

/** Where one attempt goes, read when it is made (URLs and secrets may have changed since enqueueing). */
export type Endpoint =
  | { kind: 'post'; url: string; secret: string }
  | { kind: 'in-app' }
  /** Cannot be attempted yet: stays queued with this reason until its channel is configured. */
  | { kind: 'wait'; reason: string }
  /** Will never work (its subscription or robot was deleted): dead at once. */
  | { kind: 'gone'; reason: string };

export interface EndpointDirectory {
  resolve(doc: DeliveryDoc): Promise<Endpoint>;
}

type Target = { url: string; secret: string } | null;

export function createEndpointDirectory(sources: {
  subscription(appId: string, id: string): Promise<Target>;
  robot(appId: string, id: string): Promise<{ url: string | null; secret: string } | null>;
  gateway(appId: string, channel: string): Promise<Target>;
}): EndpointDirectory {
  return {
    async resolve(doc) {
      const appId = doc.appId.toHexString();
      const endpointId = doc.endpointId?.toHexString() ?? '';
      if (doc.channel === IM) return { kind: 'in-app' };
      if (doc.channel === WEBHOOK) {
        const target = await sources.subscription(appId, endpointId);
        return target ? { kind: 'post', ...target } : { kind: 'gone', reason: 'the webhook subscription was deleted' };
      }
      if (doc.channel === ROBOT) {
        const robot = await sources.robot(appId, endpointId);
        if (!robot) return { kind: 'gone', reason: 'the robot was deleted' };
        return robot.url
          ? { kind: 'post', url: robot.url, secret: robot.secret }
          : { kind: 'wait', reason: 'the robot has no callback URL' };
      }
      const gateway = await sources.gateway(appId, doc.channel);
      return gateway ? { kind: 'post', ...gateway } : { kind: 'wait', reason: `no ${doc.channel} gateway is configured for this app` };
    },
  };
}
