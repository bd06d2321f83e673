import http from 'node:http';
import { buildSchema, parse, validate, type DocumentNode, type GraphQLError } from 'graphql';
import { createHandler } from 'graphql-http/lib/use/http';
import { onCommand, say } from '../lib/proc';
import { serveInspection } from '../lib/profile';

/**
 * A lean GraphQL-over-HTTP reference: `graphql-http` on Node's own http server, the framework
 * baseline's schema, each distinct text parsed and validated once (as Apollo's document store
 * does). No plugins, limits, context or logging: what the GraphQL spec's pipeline costs alone.
 */
async function main() {
  const schema = buildSchema('type Query { ok: Boolean! }');
  const parsed = new Map<string, DocumentNode>();
  const validated = new WeakMap<DocumentNode, readonly GraphQLError[]>();
  const handler = createHandler({
    schema,
    rootValue: { ok: () => true },
    parse: (source) => {
      const text = typeof source === 'string' ? source : source.body;
      let doc = parsed.get(text);
      if (!doc) parsed.set(text, (doc = parse(text)));
      return doc;
    },
    validate: (s, doc, rules) => {
      let errors = validated.get(doc);
      if (!errors) validated.set(doc, (errors = validate(s, doc, rules)));
      return errors;
    },
  });
  const server = http.createServer((req, res) => {
    if (req.url === '/graphql') void handler(req, res);
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  serveInspection(onCommand);
  say('READY', { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/graphql` });
}

void main();
