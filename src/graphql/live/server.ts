import type { Server } from 'node:http';
import {
  createSourceEventStream,
  execute,
  getOperationAST,
  GraphQLError,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLFormattedError,
} from 'graphql';
import { CloseCode, GRAPHQL_TRANSPORT_WS_PROTOCOL, handleProtocols, MessageType, parseMessage, type SubscribePayload } from 'graphql-ws';
import { WebSocketServer, type VerifyClientCallbackAsync } from 'ws';
import { isLiveSource, startLive } from '../../events/live';
import type { Log } from '../../domain/context';
import { frameFor, readyFrame, shareKey, type FormatResult } from './frames';
import { LiveConnection, OPEN } from './connection';
import { operationLabel } from '../../observability/metrics';
import { inOperationSpan, recordGraphqlAnswer } from '../../observability/graphql';
import { Operation } from './operation';
import { upgradeRoutes } from '../../http/upgrades';

export { LiveConnection };

/** What the server asks of its user (src/graphql/ws.ts): authentication, admission, error formatting. */
export interface LiveHooks<S> {
  /** `connection_init`: the connection's state, or false (4403). It may close the socket itself. */
  connect(conn: LiveConnection<S>, params: Record<string, unknown> | undefined): Promise<S | false>;
  /** `subscribe`: execution arguments (and what to release when the operation ends), or errors to answer with. */
  admit(
    conn: LiveConnection<S>,
    id: string,
    payload: SubscribePayload,
  ): Promise<{ args: ExecutionArgs; release?: () => void } | readonly GraphQLError[]>;
  closed(conn: LiveConnection<S>): void;
  formatErrors(errors: readonly GraphQLError[]): GraphQLFormattedError[];
}

export interface LiveServerOptions {
  server: Server;
  path: string;
  maxPayloadBytes: number;
  maxBufferedBytes: number;
  initTimeoutMs: number;
  keepAliveMs: number;
  verifyClient: VerifyClientCallbackAsync;
  log: Log;
}

/**
 * The graphql-transport-ws protocol (graphql-ws's PROTOCOL.md, with its close codes and timing) on
 * `ws`, written for fan-out: a subscription's events are executed and serialised once per distinct
 * subscription (frames.ts) and written to each socket as its own operation's frame, with no
 * async iterator per subscriber. Queries and mutations over the socket run as graphql-ws runs them.
 */
export function createLiveServer<S>(opts: LiveServerOptions, hooks: LiveHooks<S>) {
  const wss = new WebSocketServer({
    noServer: true,
    // ws closes a socket whose message exceeds maxPayload (1009) before anything parses it.
    maxPayload: opts.maxPayloadBytes,
    perMessageDeflate: false,
    handleProtocols,
    verifyClient: opts.verifyClient,
  });
  upgradeRoutes(opts.server).add(opts.path, wss);
  const connections = new Set<LiveConnection<S>>();
  const format: FormatResult = (r) => (r.errors ? { ...r, errors: hooks.formatErrors(r.errors) } : r);
  const errorsJson = (e: unknown) =>
    JSON.stringify(
      hooks.formatErrors([
        e instanceof GraphQLError ? e : new GraphQLError(String((e as Error)?.message ?? e), { originalError: e as Error }),
      ]),
    );

  wss.on('connection', (socket, request) => {
    const forwarded = request.headers['x-forwarded-for'];
    const conn = new LiveConnection<S>(socket, opts.maxBufferedBytes, {
      address: request.socket.remoteAddress ?? '',
      forwardedFor: typeof forwarded === 'string' ? forwarded : undefined,
    });
    connections.add(conn);
    // ws has already answered a protocol error (1002, 1009…) by closing; nothing else to do.
    socket.on('error', (err) => opts.log.debug({ err }, 'websocket error'));
    socket.on('pong', () => (conn.awaitingPong = false));
    socket.once('close', () => {
      clearTimeout(conn.initTimer);
      connections.delete(conn);
      for (const op of [...conn.operations.values()]) op.cancel();
      hooks.closed(conn);
    });
    if (socket.protocol !== GRAPHQL_TRANSPORT_WS_PROTOCOL)
      return conn.close(CloseCode.SubprotocolNotAcceptable, 'Subprotocol not acceptable');
    conn.initTimer = setTimeout(() => {
      if (!conn.initReceived) conn.close(CloseCode.ConnectionInitialisationTimeout, 'Connection initialisation timeout');
    }, opts.initTimeoutMs);
    socket.on('message', (data) => {
      onMessage(conn, String(data)).catch((err: unknown) => {
        opts.log.error({ err }, 'graphql-ws message handling failed');
        conn.close(CloseCode.InternalServerError, 'Internal server error');
      });
    });
  });

  async function onMessage(conn: LiveConnection<S>, data: string) {
    let message: ReturnType<typeof parseMessage>;
    try {
      message = parseMessage(data);
    } catch {
      return conn.close(CloseCode.BadRequest, 'Invalid message received');
    }
    switch (message.type) {
      case MessageType.ConnectionInit: {
        if (conn.initReceived) return conn.close(CloseCode.TooManyInitialisationRequests, 'Too many initialisation requests');
        conn.initReceived = true;
        const params = message.payload && typeof message.payload === 'object' ? message.payload : undefined;
        const state = await hooks.connect(conn, params);
        if (conn.socket.readyState !== OPEN) return;
        if (state === false) return conn.close(CloseCode.Forbidden, 'Forbidden');
        conn.state = state;
        conn.acknowledged = true;
        conn.write('{"type":"connection_ack"}');
        return;
      }
      case MessageType.Ping:
        conn.write(message.payload ? JSON.stringify({ type: MessageType.Pong, payload: message.payload }) : '{"type":"pong"}');
        return;
      case MessageType.Pong:
        return;
      case MessageType.Subscribe:
        return subscribe(conn, message.id, message.payload);
      case MessageType.Complete:
        // The client's complete ends the operation silently; an unknown id is ignored.
        conn.operations.get(message.id)?.cancel();
        return;
      default:
        return conn.close(CloseCode.BadRequest, `Unexpected message of type ${message.type} received`);
    }
  }

  async function subscribe(conn: LiveConnection<S>, id: string, payload: SubscribePayload) {
    if (!conn.acknowledged) return conn.close(CloseCode.Unauthorized, 'Unauthorized');
    if (conn.operations.has(id)) return conn.close(CloseCode.SubscriberAlreadyExists, `Subscriber for ${id} already exists`);
    const admission: { release?: () => void } = {};
    const op: Operation = new Operation(id, conn, () => {
      if (conn.operations.get(id) === op) conn.operations.delete(id);
      admission.release?.();
    });
    conn.operations.set(id, op);
    const started = performance.now();
    const record = (errors?: readonly GraphQLFormattedError[], ran = true) =>
      recordGraphqlAnswer('graphql-ws', operationLabel(payload.operationName, ran), errors, (performance.now() - started) / 1000);
    const admitted = await hooks.admit(conn, id, payload);
    if (Array.isArray(admitted)) {
      const errors = hooks.formatErrors(admitted as readonly GraphQLError[]);
      record(errors, false);
      return op.end(JSON.stringify(errors));
    }
    const { args, release } = admitted as { args: ExecutionArgs; release?: () => void };
    admission.release = release;
    // Completed by the client, or the socket closed, while it was being admitted.
    if (op.done) return release?.();
    const kind = getOperationAST(args.document, args.operationName)?.operation;
    if (!kind) return op.end(errorsJson(new GraphQLError('Unable to identify operation')));
    if (kind !== 'subscription') return once(op, await inOperationSpan(payload, kind, async () => execute(args)), record);
    const source = await inOperationSpan(payload, kind, async () => createSourceEventStream(args));
    if (!(Symbol.asyncIterator in source)) return once(op, source as ExecutionResult, record);
    record();
    // Every subscribe resolver of this schema returns a live source (src/events/live.ts); one that
    // returns a plain async iterable is a programming error, answered as one rather than left silent.
    if (!isLiveSource(source)) {
      void (source as AsyncGenerator).return?.(undefined);
      opts.log.error({ operation: args.operationName }, 'a subscribe resolver returned no live source');
      return op.end(errorsJson(new Error('this subscription cannot be served')));
    }
    if (op.done) return;
    const key = shareKey(args);
    op.stopSource = startLive(source, {
      next: (event) => op.push(frameFor(key, args, event, format)),
      end: (error) => op.end(error === undefined ? undefined : errorsJson(error)),
    });
  }

  /** A single result (a query, a mutation, a subscription refused at its start): `next`, then `complete`. */
  function once(op: Operation, result: ExecutionResult, record: (errors?: readonly GraphQLFormattedError[]) => void) {
    if (op.done) return;
    const formatted = format(result) as ExecutionResult & { errors?: readonly GraphQLFormattedError[] };
    record(formatted.errors);
    op.push(readyFrame(JSON.stringify(formatted)));
    op.end();
  }

  // One timer for every socket: each round pings; a socket that did not answer the last ping is dropped.
  const keepAlive =
    opts.keepAliveMs > 0
      ? setInterval(() => {
          for (const conn of connections) {
            if (conn.socket.readyState !== OPEN) continue;
            if (conn.awaitingPong) {
              conn.socket.terminate();
              continue;
            }
            conn.awaitingPong = true;
            conn.socket.ping();
          }
        }, opts.keepAliveMs).unref()
      : undefined;

  return {
    /** Live sockets, and the bytes written to them that their clients have not taken yet. */
    stats() {
      let buffered = 0;
      let operations = 0;
      for (const c of connections) {
        buffered += c.socket.bufferedAmount;
        operations += c.operations.size;
      }
      return { sockets: connections.size, bufferedBytes: buffered, operations };
    },
    connections: () => connections.values(),
    async dispose() {
      clearInterval(keepAlive);
      for (const conn of connections) conn.close(1001, 'Going away');
      wss.removeAllListeners('connection');
      await new Promise<void>((resolve, reject) => wss.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
