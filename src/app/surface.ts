import { asPrincipal, type Log, type RequestContext } from '../domain/context';
import { openMessageStream } from '../messages/stream';
import { surfacePort, type SurfacePort } from '../ports/surface';
import type { Services } from './services';

/**
 * The port every surface is mounted with: the checked tier of these services (src/ports/surface.ts),
 * the credential check and the checked feeds. The rest of `Services` is the system side: workers,
 * the CLI and this composition root.
 */
export function surfaceOf(services: Services, wrap?: Parameters<typeof surfacePort>[2]): SurfacePort {
  return surfacePort(
    services,
    {
      credentials: services.credentials,
      feeds: services.feeds,
      anonymousContext: (log: Log, requestId: string) => services.context({ kind: 'anonymous' }, log, requestId),
      nextContext: (from: RequestContext, log: Log, requestId: string) =>
        asPrincipal(services.context({ kind: 'anonymous' }, log, requestId), from.principal),
      newLoaders: services.newLoaders,
      messageStream: (ctx, conversationId, after) => openMessageStream(services, ctx, conversationId, after),
    },
    wrap,
  );
}
