import type { ApolloServerPlugin } from '@apollo/server';
import { Kind, type GraphQLFormattedError } from 'graphql';
import { metricsOn, operationLabel, recordRefusal, recordRequest } from './metrics';
import { noteError } from './recent-errors';
import { activeSpan, failSpan, inSpan, inTraceOf, SpanKind, tracingOn } from './tracing';

/** The code a GraphQL answer is counted under: OK, or its first error's code. */
export function answerCode(errors: readonly GraphQLFormattedError[] | undefined): string {
  if (!errors?.length) return 'OK';
  const code = errors[0]!.extensions?.code;
  return typeof code === 'string' ? code.slice(0, 40) : 'ERROR';
}

/** Refusals by a query limit (QUERY_TOO_COMPLEX names the limit; the token limit is the parser's). */
export function countLimitRefusals(errors: readonly GraphQLFormattedError[] | undefined): void {
  for (const e of errors ?? []) {
    if (e.extensions?.code === 'QUERY_TOO_COMPLEX') recordRefusal(String(e.extensions.limit ?? 'cost'));
    else if (e.extensions?.code === 'GRAPHQL_PARSE_FAILED' && /tokens/.test(e.message)) recordRefusal('tokens');
  }
}

/**
 * A graphql-ws operation's server span (a socket carries many operations, so each is a trace of its
 * own), joined to the caller's trace when the operation's `extensions.traceparent` names one.
 */
export function inOperationSpan<T>(
  payload: { operationName?: string | null; extensions?: Record<string, unknown> | null },
  kind: string,
  fn: () => Promise<T>,
): Promise<T> {
  if (!tracingOn()) return fn();
  const traceparent = payload.extensions?.traceparent;
  const name = (payload.operationName ?? 'anonymous').slice(0, 100);
  return inTraceOf(typeof traceparent === 'string' ? traceparent : undefined, () =>
    inSpan(`graphql-ws ${kind} ${name}`, fn, { 'graphql.operation.name': name, 'graphql.operation.type': kind }, SpanKind.SERVER),
  );
}

/** Records one GraphQL answer: metrics by operation name, an error for the console. */
export function recordGraphqlAnswer(
  surface: string,
  operation: string,
  errors: readonly GraphQLFormattedError[] | undefined,
  seconds: number,
): void {
  if (!metricsOn()) return;
  const code = answerCode(errors);
  recordRequest(surface, operation, code, seconds);
  countLimitRefusals(errors);
  if (code !== 'OK') noteError({ surface, operation, code, message: errors![0]!.message });
}

/**
 * GraphQL over HTTP: RED by operation name (bounded, see operationLabel), and the request's server
 * span renamed after its operation, which is what the surface is (the span stays the parent of the
 * service and database spans below it).
 */
export function observabilityPlugin<C extends object>(): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      if (!metricsOn() && !tracingOn()) return;
      const started = performance.now();
      const span = activeSpan();
      let resolved = false;
      return {
        async didResolveOperation({ operationName, operation: op }) {
          resolved = true;
          span?.updateName(`graphql ${op?.operation ?? 'operation'} ${operationName ?? 'anonymous'}`);
          span?.setAttributes({ 'graphql.operation.name': operationName ?? '', 'graphql.operation.type': op?.operation ?? '' });
        },
        async willSendResponse({ response, operationName, request, document }) {
          // A document refused by validation has no resolved operation: its name is read from it.
          const only = document?.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
          const named = operationName ?? request.operationName ?? (only?.length === 1 ? only[0]!.name?.value : undefined);
          const operation = named ? operationLabel(named, resolved) : document ? 'anonymous' : 'invalid';
          const errors = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
          recordGraphqlAnswer('graphql', operation, errors, (performance.now() - started) / 1000);
          if (span && errors?.length) failSpan(span, answerCode(errors));
        },
      };
    },
  };
}
