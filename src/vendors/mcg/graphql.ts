import type { GraphqlExtension } from '../kit/adapter';
import { mcgCredentials } from './credentials';

/** The app's MCG client and provider id in the GraphQL schema. */
export const mcgGraphql: GraphqlExtension = {
  typeDefs: /* GraphQL */ `
    extend type App {
      mcg: McgApp!
    }

    type McgApp {
      clientId: String!
      providerId: Int!
    }

    extend type AppCredentials {
      mcg: McgCredentials!
    }

    type McgCredentials {
      clientId: String!
      clientSecret: String
      providerId: Int!
    }

    extend enum Vendor {
      MCG
    }
  `,
  resolvers: { App: { mcg: mcgCredentials.of } },
};
