import { randomSecret, sha256 } from '../../apps/credentials';
import { defineCredentialKind } from '../../apps/kinds';

/** An app's Imbee secrets: its `myAuth` token (looked up by digest) and its corporate key (`X-WOOS-KEY`). */
export interface ImbeeStored {
  authTokenHash: string;
  corporateKeyHash: string;
}

export const imbeeCredentials = defineCredentialKind({
  key: 'imbee',
  fields: {
    authTokenHash: { type: String, required: true },
    corporateKeyHash: { type: String, required: true },
  },
  unique: [['authTokenHash']],
  async issue() {
    const secrets = { authToken: randomSecret(32), corporateKey: randomSecret(24) };
    const stored: ImbeeStored = { authTokenHash: sha256(secrets.authToken), corporateKeyHash: sha256(secrets.corporateKey) };
    return { stored, secrets };
  },
  shown: (_s: ImbeeStored, secrets: { authToken: string; corporateKey: string } | null) => ({
    authToken: secrets?.authToken ?? null,
    corporateKey: secrets?.corporateKey ?? null,
  }),
});
