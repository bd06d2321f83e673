import { GraphQLScalarType, Kind } from 'graphql';

/** ISO-8601 instants in UTC; accepts ISO strings or epoch milliseconds as input. */
export const DateTime = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  serialize(value) {
    const d = value instanceof Date ? value : new Date(value as string);
    if (Number.isNaN(d.getTime())) throw new TypeError('DateTime cannot represent an invalid date');
    return d.toISOString();
  },
  parseValue(value) {
    const d = typeof value === 'string' || typeof value === 'number' ? new Date(value) : new Date(NaN);
    if (Number.isNaN(d.getTime())) throw new TypeError('DateTime must be an ISO-8601 string or epoch milliseconds');
    return d;
  },
  parseLiteral(ast) {
    const d = ast.kind === Kind.STRING ? new Date(ast.value) : ast.kind === Kind.INT ? new Date(Number(ast.value)) : new Date(NaN);
    if (Number.isNaN(d.getTime())) throw new TypeError('DateTime must be an ISO-8601 string or epoch milliseconds');
    return d;
  },
});
