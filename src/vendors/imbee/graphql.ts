import type { GraphqlExtension } from '../kit/adapter';

/** The app's Imbee secrets (shown once) in the GraphQL schema; nothing of them is public. */
export const imbeeGraphql: GraphqlExtension = {
  typeDefs: /* GraphQL */ `
    extend type AppCredentials {
      imbee: ImbeeCredentials!
    }

    type ImbeeCredentials {
      authToken: String
      corporateKey: String
    }

    extend enum Vendor {
      IMBEE
    }
  `,
};
