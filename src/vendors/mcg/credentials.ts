import { randomSecret, sha256 } from '../../apps/credentials';
import { defineCredentialKind } from '../../apps/kinds';

/** An app's MCG identity: the OAuth client its service providers authenticate as, and its provider id. */
export interface McgStored {
  clientId: string;
  clientSecretHash: string;
  providerId: number;
}

export const mcgCredentials = defineCredentialKind({
  key: 'mcg',
  fields: {
    clientId: { type: String, required: true },
    clientSecretHash: { type: String, required: true },
    providerId: { type: Number, required: true },
  },
  unique: [['clientId'], ['providerId']],
  async issue({ current, next }) {
    const clientSecret = randomSecret(32);
    const stored: McgStored = {
      clientId: current?.clientId ?? `mcg-${randomSecret(12)}`,
      clientSecretHash: sha256(clientSecret),
      // The counter keeps its historical name: deployments already hold values drawn from it.
      providerId: current?.providerId ?? (await next('app.mcgProviderId', 1)),
    };
    return { stored, secrets: { clientSecret } };
  },
  publicView: (s: McgStored) => ({ clientId: s.clientId, providerId: s.providerId }),
  shown: (s: McgStored, secrets: { clientSecret: string } | null) => ({
    clientId: s.clientId,
    clientSecret: secrets?.clientSecret ?? null,
    providerId: s.providerId,
  }),
});
