import { md5, randomSecret, sha256 } from '../../apps/credentials';
import { defineCredentialKind } from '../../apps/kinds';

/**
 * An app's GoBelieve identity: integer `appid` and its `appsecret`. Clients send md5(appsecret) in
 * their Basic header, so that digest is the credential; we keep SHA-256 of it, never the md5 itself.
 */
export interface GobelieveStored {
  appId: number;
  appSecretMd5Hash: string;
}

export const gobelieveCredentials = defineCredentialKind({
  key: 'gobelieve',
  fields: {
    appId: { type: Number, required: true },
    appSecretMd5Hash: { type: String, required: true },
  },
  unique: [['appId']],
  async issue({ current, next }) {
    const appSecret = randomSecret(24);
    const stored: GobelieveStored = {
      // The counter keeps its historical name: deployments already hold values drawn from it.
      appId: current?.appId ?? (await next('app.gobelieveAppId', 1001)),
      appSecretMd5Hash: sha256(md5(appSecret)),
    };
    return { stored, secrets: { appSecret } };
  },
  publicView: (s: GobelieveStored) => ({ appId: s.appId }),
  shown: (s: GobelieveStored, secrets: { appSecret: string } | null) => ({ appId: s.appId, appSecret: secrets?.appSecret ?? null }),
});
