import type { GraphqlExtension } from '../kit/adapter';
import { gobelieveCredentials } from './credentials';

/** The app's GoBelieve appid and secret in the GraphQL schema. */
export const gobelieveGraphql: GraphqlExtension = {
  typeDefs: /* GraphQL */ `
    extend type App {
      gobelieve: GoBelieveApp!
    }

    type GoBelieveApp {
      appId: Int!
    }

    extend type AppCredentials {
      gobelieve: GoBelieveCredentials!
    }

    type GoBelieveCredentials {
      appId: Int!
      appSecret: String
    }

    extend enum Vendor {
      GOBELIEVE
    }
  `,
  resolvers: { App: { gobelieve: gobelieveCredentials.of } },
};
