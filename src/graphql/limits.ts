import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import {
  getNullableType,
  GraphQLError,
  isListType,
  type DocumentNode,
  type GraphQLSchema,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { getComplexity, simpleEstimator, type ComplexityEstimator } from 'graphql-query-complexity';
import { cachedCost } from './analysis-cache';

/** Limits every GraphQL operation meets before it runs, on HTTP and on graphql-ws alike. */
export interface QueryLimits {
  depth: number;
  aliases: number;
  tokens: number;
  directives: number;
  cost: number;
}

/** Lists without a page size are priced as this many items (group members, device tokens…). */
const UNPAGED_LIST_SIZE = 10;

export const tooComplex = (limit: keyof QueryLimits, max: number, message: string) =>
  new GraphQLError(message, { extensions: { code: 'QUERY_TOO_COMPLEX', limit, max } });

/** graphql-armor's rules, each refusal reported as QUERY_TOO_COMPLEX naming the limit hit. */
export function limitRules(l: QueryLimits): ValidationRule[] {
  const reject = (limit: keyof QueryLimits, max: number) => ({
    propagateOnRejection: false,
    onReject: [(ctx: ValidationContext | null, e: GraphQLError) => ctx?.reportError(tooComplex(limit, max, e.message))],
  });
  return [
    maxDepthRule({ n: l.depth, ignoreIntrospection: true, exposeLimits: true, ...reject('depth', l.depth) }),
    maxAliasesRule({ n: l.aliases, exposeLimits: true, ...reject('aliases', l.aliases) }),
    maxDirectivesRule({ n: l.directives, exposeLimits: true, ...reject('directives', l.directives) }),
  ] as ValidationRule[];
}

/** A list field costs its page size (`first`/`last`, else a default) times what each item asks for. */
const pagedListEstimator: ComplexityEstimator = ({ field, args, childComplexity }) => {
  const size = [args.first, args.last, args.limit].find((v) => typeof v === 'number' && v > 0) as number | undefined;
  // A connection's nodes/edges are its page, already priced by the connection's `first`/`last`.
  if (size === undefined && (field.name === 'nodes' || field.name === 'edges')) return 1 + childComplexity;
  const isList = isListType(getNullableType(field.type));
  if (size === undefined && !isList) return undefined;
  return 1 + childComplexity * Math.min(size ?? UNPAGED_LIST_SIZE, 1_000);
};

/**
 * The operation's cost from the schema and its variables, and QUERY_TOO_COMPLEX when it is above
 * the limit. No cost when the variables or operation name are bad: execution reports them in its
 * own words.
 */
export function checkCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | undefined,
  l: QueryLimits,
): { cost?: number; error?: GraphQLError } {
  const cost = cachedCost(document, operationName, variables, () => {
    try {
      return getComplexity({
        schema,
        query: document,
        variables: variables ?? {},
        operationName,
        estimators: [pagedListEstimator, simpleEstimator({ defaultComplexity: 1 })],
      });
    } catch {
      return undefined;
    }
  });
  if (cost === undefined) return {};
  return cost > l.cost
    ? { cost, error: tooComplex('cost', l.cost, `the query costs ${cost}, more than the limit of ${l.cost}`) }
    : { cost };
}
