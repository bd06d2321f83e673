import { isObjectType, type GraphQLField, type GraphQLSchema } from 'graphql';

const SHARED = Symbol.for('imfacade.shared');

/**
 * Declares a resolver viewer-independent: its result for an event is the same whoever subscribed
 * (it reads its parent and the request's loaders, never the principal). Only such fields, and
 * fields with no resolver (a property of their parent), may be computed once per event and shared
 * between subscribers (frames.ts); everything else is computed per subscriber. Undeclared means
 * per subscriber, so a new field can never leak one viewer's data to another.
 */
export function shared<F>(resolve: F): F {
  (resolve as unknown as Record<symbol, boolean>)[SHARED] = true;
  return resolve;
}

export const isDeclaredShared = (fn: unknown) => typeof fn === 'function' && (fn as unknown as Record<symbol, boolean>)[SHARED] === true;

/**
 * Carries the declarations of a resolver map onto a built schema (as `extensions.shared`): schema
 * builders bind resolvers, so the functions' own marks do not survive the build.
 */
export function markShared(schema: GraphQLSchema, resolvers: Record<string, unknown>): void {
  for (const [typeName, fields] of Object.entries(resolvers)) {
    const type = schema.getType(typeName);
    if (!isObjectType(type) || !fields || typeof fields !== 'object') continue;
    const defs = type.getFields();
    for (const [name, value] of Object.entries(fields as Record<string, unknown>)) {
      const resolve = typeof value === 'function' ? value : (value as { resolve?: unknown } | null)?.resolve;
      const field = defs[name];
      // `declared`: the function as written, for the tests' walk (the schema holds a bound copy).
      if (field && isDeclaredShared(resolve))
        (field as { extensions: object }).extensions = { ...field.extensions, shared: true, declared: resolve };
    }
  }
}

/** Whether one execution of this field can serve every subscriber of an event. */
export function isShareable(field: GraphQLField<unknown, unknown>): boolean {
  return field.resolve === undefined || field.extensions?.shared === true;
}

/** Every field of the schema with a resolver of its own, and whether it is declared shared (for the tests' walk). */
export function resolvedFields(schema: GraphQLSchema): { coordinate: string; resolve: (...a: unknown[]) => unknown; shared: boolean }[] {
  const out: { coordinate: string; resolve: (...a: unknown[]) => unknown; shared: boolean }[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      if (!field.resolve) continue;
      const declared = (field.extensions as { declared?: unknown }).declared ?? field.resolve;
      out.push({ coordinate: `${type.name}.${field.name}`, resolve: declared as never, shared: isShareable(field) });
    }
  }
  return out;
}
