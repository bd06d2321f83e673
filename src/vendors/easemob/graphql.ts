import type { GraphqlExtension } from '../kit/adapter';
import { easemobIds } from './credentials';

/** The app's Easemob ids and credentials, and the `easemob` webhook format, in the GraphQL schema. */
export const easemobGraphql: GraphqlExtension = {
  typeDefs: /* GraphQL */ `
    extend type App {
      easemob: EasemobApp!
    }

    type EasemobApp {
      orgName: String!
      appName: String!
      clientId: String!
    }

    extend type AppCredentials {
      easemob: EasemobCredentials!
    }

    type EasemobCredentials {
      orgName: String!
      appName: String!
      clientId: String!
      clientSecret: String
    }

    extend enum Vendor {
      EASEMOB
    }

    extend enum WebhookFormat {
      "Easemob's callback format (message.created and message.recalled only), signed in the body's security field as the vendor does, and in the header too."
      EASEMOB
    }
  `,
  resolvers: { App: { easemob: easemobIds } },
};
