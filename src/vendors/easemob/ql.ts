import { illegalArgument } from './errors';

/**
 * The Usergrid query language of the vendor's legacy history query, `GET /chatmessages?ql=…`, as
 * its documents used it: `select * [where <condition>] [order by timestamp [asc|desc]]`, where a
 * condition compares `timestamp` (<, <=, >, >=, =) with epoch milliseconds, or names a field
 * (`from`, `to`, `chat_type`, `msg_id`) `=` a value, combined with `and`, `or` and parentheses.
 * Parsed by hand: a dozen tokens, no library speaks this dialect.
 */
export type Condition =
  | { kind: 'time'; op: '<' | '<=' | '>' | '>=' | '='; ms: number }
  | { kind: 'field'; field: 'from' | 'to' | 'chat_type' | 'msg_id'; value: string }
  | { kind: 'and' | 'or'; parts: Condition[] };

export interface HistoryQuery {
  where: Condition | null;
  ascending: boolean;
}

/** Bounds on what a client may send: the text, its tokens, the nesting. */
const MAX_QL = 1_024;
const MAX_TOKENS = 128;
const MAX_DEPTH = 8;
const FIELDS = new Set(['from', 'to', 'chat_type', 'msg_id']);

const tokenize = (ql: string): string[] => {
  const tokens = ql.match(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|<=|>=|[<>=()*]|[^\s<>=()'"*]+/g) ?? [];
  if (tokens.length > MAX_TOKENS) throw illegalArgument(`ql has more than ${MAX_TOKENS} terms`);
  return tokens;
};

export function parseQl(ql: string | undefined): HistoryQuery {
  if (ql === undefined || ql.trim() === '') return { where: null, ascending: true };
  if (ql.length > MAX_QL) throw illegalArgument(`ql is longer than ${MAX_QL} characters`);
  const t = tokenize(ql);
  let i = 0;
  const peek = () => t[i]?.toLowerCase();
  const fail = (what: string): never => {
    throw illegalArgument(
      `ql: ${what} at "${t.slice(i, i + 3).join(' ') || 'the end'}"; expected select * where timestamp<… [order by timestamp desc]`,
    );
  };
  const expect = (word: string) => (peek() === word ? i++ : fail(`expected ${word}`));

  function atom(depth: number): Condition {
    if (depth > MAX_DEPTH) fail('too deeply nested');
    if (peek() === '(') {
      i++;
      const inner = disjunction(depth + 1);
      expect(')');
      return inner;
    }
    const name = peek();
    i++;
    const op = peek();
    if (name === 'timestamp' && (op === '<' || op === '<=' || op === '>' || op === '>=' || op === '=')) {
      i++;
      const ms = Number(t[i++]);
      if (!Number.isSafeInteger(ms) || ms < 0) fail('timestamp must be epoch milliseconds');
      return { kind: 'time', op, ms };
    }
    if (name && FIELDS.has(name) && op === '=') {
      i++;
      const raw = t[i++] ?? fail('a value');
      const value = /^['"]/.test(raw) ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw;
      return { kind: 'field', field: name as 'from', value };
    }
    return fail('unknown condition');
  }
  /** Terms joined by one keyword (`and` binds tighter than `or`). */
  function joined(word: 'and' | 'or', term: (depth: number) => Condition, depth: number): Condition {
    const parts = [term(depth)];
    while (peek() === word) {
      i++;
      parts.push(term(depth));
    }
    return parts.length === 1 ? parts[0]! : { kind: word, parts };
  }
  const disjunction = (depth: number): Condition => joined('or', (d) => joined('and', atom, d), depth);

  expect('select');
  expect('*');
  let where: Condition | null = null;
  if (peek() === 'where') {
    i++;
    where = disjunction(0);
  }
  let ascending = true;
  if (peek() === 'order') {
    i++;
    expect('by');
    expect('timestamp');
    if (peek() === 'asc' || peek() === 'desc') ascending = t[i++]!.toLowerCase() === 'asc';
  }
  if (i < t.length) fail('unexpected text');
  return { where, ascending };
}

/** The time bounds every match must satisfy (the `timestamp` terms of a top-level `and`), for the database. */
export function timeBounds(where: Condition | null): { $gt?: number; $gte?: number; $lt?: number; $lte?: number } {
  const terms = !where ? [] : where.kind === 'and' ? where.parts : [where];
  const b: { $gt?: number; $gte?: number; $lt?: number; $lte?: number } = {};
  for (const c of terms) {
    if (c.kind !== 'time') continue;
    if (c.op === '>' || c.op === '=') b.$gt = Math.max(b.$gt ?? -1, c.op === '=' ? c.ms - 1 : c.ms);
    if (c.op === '>=') b.$gte = Math.max(b.$gte ?? 0, c.ms);
    if (c.op === '<' || c.op === '=') b.$lt = Math.min(b.$lt ?? Infinity, c.op === '=' ? c.ms + 1 : c.ms);
    if (c.op === '<=') b.$lte = Math.min(b.$lte ?? Infinity, c.ms);
  }
  return b;
}

/** Whether a message (as the vendor writes it) satisfies the condition. */
export function matches(
  c: Condition | null,
  m: { timestamp: number; from: string; to: string; chat_type: string; msg_id: string },
): boolean {
  if (!c) return true;
  switch (c.kind) {
    case 'and':
      return c.parts.every((p) => matches(p, m));
    case 'or':
      return c.parts.some((p) => matches(p, m));
    case 'field':
      return m[c.field] === c.value;
    case 'time': {
      const t = m.timestamp;
      return c.op === '<' ? t < c.ms : c.op === '<=' ? t <= c.ms : c.op === '>' ? t > c.ms : c.op === '>=' ? t >= c.ms : t === c.ms;
    }
  }
}
