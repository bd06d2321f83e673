import { LRUCache } from 'lru-cache';
import type { DocumentNode } from 'graphql';

/**
 * Each distinct document is analysed once. Apollo's document store hands back the same parsed and
 * validated DocumentNode for the same text over HTTP; graphql-ws subscribes go through
 * `validatedDocuments` here. Costs are kept per document object, operation name and shape of the
 * variables: the cost rule reads page sizes (numbers) and @skip/@include (booleans), never the
 * text of a string, so strings are keyed as empty. Only costs that were worked out are kept: a
 * document whose variables failed coercion is priced again next time.
 */
const SHAPES_PER_DOCUMENT = 64;
const MAX_SHAPE_KEY = 1024;

const costs = new WeakMap<DocumentNode, Map<string, number>>();

function shapeKey(operationName: string | undefined, variables: Record<string, unknown> | undefined): string | undefined {
  const name = operationName ?? '';
  if (!variables) return name;
  let empty = true;
  for (const _ in variables) {
    empty = false;
    break;
  }
  if (empty) return name;
  const key = `${name}\n${JSON.stringify(variables, (_k, v: unknown) => (typeof v === 'string' ? '' : v))}`;
  return key.length <= MAX_SHAPE_KEY ? key : undefined;
}

/** The cost of `document` with these variables, from the cache or from `price` (undefined: not priced). */
export function cachedCost(
  document: DocumentNode,
  operationName: string | undefined,
  variables: Record<string, unknown> | undefined,
  price: () => number | undefined,
): number | undefined {
  const key = shapeKey(operationName, variables);
  if (key === undefined) return price();
  let shapes = costs.get(document);
  const known = shapes?.get(key);
  if (known !== undefined) return known;
  const cost = price();
  if (cost === undefined) return undefined;
  if (!shapes) costs.set(document, (shapes = new Map()));
  if (shapes.size >= SHAPES_PER_DOCUMENT) shapes.clear();
  shapes.set(key, cost);
  return cost;
}

/** Parsed and validated documents by their text (graphql-ws subscribes), bounded by count and size. */
export function createDocumentCache(maxDocuments: number, maxTextLength = 20_000) {
  const cache = new LRUCache<string, DocumentNode>({ max: Math.max(1, maxDocuments) });
  return {
    /** The validated document for `source`, or the errors of parsing or validating it (never cached). */
    get<E>(source: string, analyse: (source: string) => DocumentNode | E): DocumentNode | E {
      const hit = cache.get(source);
      if (hit) return hit;
      const result = analyse(source);
      if (source.length <= maxTextLength && isDocument(result)) cache.set(source, result);
      return result;
    },
  };
}

export const isDocument = (v: unknown): v is DocumentNode => typeof v === 'object' && v !== null && (v as DocumentNode).kind === 'Document';
