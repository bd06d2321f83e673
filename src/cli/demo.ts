import type { Log as Logger } from '../domain/context';
import type { Services } from '../app/services';

/**
 * On the first start with an empty database, creates the app "demo" (open registration on) and
 * prints its credentials once, so a newcomer can try every surface straight away.
 */
export async function ensureDemoApp(services: Services, log: Logger, write: (text: string) => void): Promise<void> {
  if ((await services.apps.count()) > 0) return;
  const ctx = services.context({ kind: 'operator' }, log, 'startup');
  try {
    const creds = await services.apps.create(ctx, { name: 'demo', openRegistration: true });
    write(
      [
        'Created the app "demo" for this empty database. Its credentials are shown only this once:',
        JSON.stringify(creds, null, 2),
        '',
      ].join('\n'),
    );
  } catch (e) {
    // Another process created it first: nothing to show.
    log.warn({ err: e }, 'demo app not created');
  }
}
