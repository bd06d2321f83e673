/**
 * A GraphQL extension an adapter adds to the core schema: SDL that extends core types (App,
 * AppCredentials, the Vendor and WebhookFormat enums, …) or adds its own, and their resolvers.
 * Codegen reads the SDL from the adapters' `graphql.ts` files (codegen.yml).
 */
export interface GraphqlExtension {
  typeDefs: string;
  resolvers?: Record<string, Record<string, unknown>>;
}
