import { matchesDigest, randomSecret, sha256 } from '../../apps/credentials';
import { defineCredentialKind } from '../../apps/kinds';
import type { AppRecord } from '../../apps/service';
import { invalidInput } from '../../domain/errors';

/** An app's Easemob identity: its AppKey `org#app` and the client id/secret of its app tokens. */
export interface EasemobStored {
  orgName: string;
  appName: string;
  clientId: string;
  clientSecretHash: string;
}

/** Easemob app names are lowercase alphanumeric (the AppKey is `org#app`); derived from the app's name. */
export const easemobAppName = (name: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '')
    .slice(0, 32);

export const easemobCredentials = (settings: { orgName: string }) =>
  defineCredentialKind({
    key: 'easemob',
    fields: {
      orgName: { type: String, required: true },
      appName: { type: String, required: true },
      clientId: { type: String, required: true },
      clientSecretHash: { type: String, required: true },
    },
    unique: [['orgName', 'appName'], ['clientId']],
    async issue({ appName, current }) {
      const name = current?.appName ?? easemobAppName(appName);
      if (!name) throw invalidInput('name must contain at least one letter or digit', 'name');
      const clientSecret = `YXA6${randomSecret(24)}`;
      const stored: EasemobStored = {
        orgName: current?.orgName ?? settings.orgName,
        appName: name,
        clientId: current?.clientId ?? `YXA6${randomSecret(16)}`,
        clientSecretHash: sha256(clientSecret),
      };
      return { stored, secrets: { clientSecret } };
    },
    claims: (s: EasemobStored) => ({ orgName: s.orgName, appName: s.appName }),
    publicView: (s: EasemobStored) => ({ orgName: s.orgName, appName: s.appName, clientId: s.clientId }),
    shown: (s: EasemobStored, secrets: { clientSecret: string } | null) => ({
      orgName: s.orgName,
      appName: s.appName,
      clientId: s.clientId,
      clientSecret: secrets?.clientSecret ?? null,
    }),
    // The client_credentials grant (here and GraphQL's createAppToken) makes app tokens from these.
    appClient: { idField: 'clientId', secretMatches: (s: EasemobStored, secret: string) => matchesDigest(secret, s.clientSecretHash) },
  });

export type EasemobCredentials = ReturnType<typeof easemobCredentials>;

/** The app's AppKey parts and client id, as every app record carries them. */
export const easemobIds = (app: AppRecord) => app.dialects.easemob as { orgName: string; appName: string; clientId: string };
