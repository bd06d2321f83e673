import type { AdapterCommand } from '../../ports/adapter-command';
import { mcgCredentials } from './credentials';

/** Operator commands for the services providers consume (docs/MCG.md). */
export const mcgCommands: AdapterCommand[] = [
  {
    name: 'service create',
    usage: `  service create --app <appId> --kind notification|advertisement|qr_code|micro_payment
                                                    a service MCG providers consume; prints {serviceId, serviceToken, providerId, …}`,
    flags: ['app', 'kind'],
    async run(f, port, ctx) {
      const { service, serviceToken } = await port.providerServices.create(ctx, f.one('app'), f.one('kind'));
      const app = await port.apps.get(ctx, service.appId);
      return {
        serviceId: service.serviceId,
        serviceToken,
        providerId: mcgCredentials.of(app).providerId,
        kind: service.kind,
        appId: service.appId,
      };
    },
  },
  {
    name: 'service token',
    usage: '  service token --app <appId> --service <serviceId> another one-time service token',
    flags: ['app', 'service'],
    run: async (f, port, ctx) => ({ serviceToken: await port.providerServices.issueToken(ctx, f.one('app'), Number(f.one('service'))) }),
  },
];
