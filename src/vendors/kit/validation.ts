import { z } from 'zod';
import { DomainError } from '../../domain/errors';

/**
 * Runs a route's schema; a failure becomes INVALID_INPUT naming the field at fault, with reason
 * `required` when the field is missing (or empty where a value is required), `invalid` otherwise.
 * Dialects render it in their own shape; malformed input never reaches a service.
 */
export function validate<T>(schema: z.ZodType<T>, value: unknown, part: 'body' | 'query' | 'params'): T {
  const parsed = schema.safeParse(value, { reportInput: true });
  if (parsed.success) return parsed.data;
  const issue = innermost(parsed.error.issues[0]!);
  const field = issue.path.map(String).join('.') || part;
  // A named property that is absent, null or empty is missing; a bad array element is just invalid.
  const named = issue.path.length === 0 || typeof issue.path[issue.path.length - 1] === 'string';
  const missing = named && (issue.input === undefined || issue.input === null || (issue.code === 'too_small' && issue.input === ''));
  const message = issue.path.length ? `${field}: ${issue.message}` : `${part}: ${issue.message}`;
  throw new DomainError('INVALID_INPUT', message, { field, reason: missing ? 'required' : 'invalid' });
}

type Issue = z.core.$ZodIssue;

/**
 * For a union, the issue of the branch that got furthest (an object body that lacks a field, not
 * "expected an array"): that is the message a client can act on.
 */
function innermost(issue: Issue): Issue {
  if (issue.code !== 'invalid_union' || !issue.errors.length) return issue;
  const best = issue.errors.map((branch) => branch[0]).reduce((a, b) => ((b?.path.length ?? -1) > (a?.path.length ?? -1) ? b : a));
  if (!best || best.path.length === 0) return issue;
  return innermost({ ...best, path: [...issue.path, ...best.path] } as Issue);
}

/** Depth of a parsed JSON value, measured without recursion (a hostile body can be 100,000 deep). */
export function jsonDepth(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    deepest = Math.max(deepest, d);
    if (deepest > limit) return deepest;
    for (const child of Object.values(v)) stack.push([child, d + 1]);
  }
  return deepest;
}

/** A JSON object of at most `maxDepth` levels and `maxBytes` once serialised (free-form `ext` fields). */
export const boundedJsonObject = (maxDepth: number, maxBytes: number) =>
  z.record(z.string(), z.unknown()).superRefine((o, ctx) => {
    // Depth first: serialising a 100,000-deep value would overflow the stack.
    if (jsonDepth(o, maxDepth) > maxDepth) ctx.addIssue({ code: 'custom', message: `must be at most ${maxDepth} levels deep`, input: o });
    else if (Buffer.byteLength(JSON.stringify(o)) > maxBytes)
      ctx.addIssue({ code: 'custom', message: `must be at most ${maxBytes} bytes as JSON`, input: o });
  });
