/**
 * The web chat page behind Imbee access links: the link's secret arrives in the URL fragment, is
 * removed from the address bar at once, and is exchanged (one retry) for a session token. The
 * page then talks to the GraphQL API like any frontend: history over HTTP, live messages over
 * graphql-transport-ws with resume (`messageAdded(after:)`), sends with a client message id. The
 * socket is the `graphql-ws` client (bundled by esbuild, scripts/build-web.js): keep-alive,
 * reconnect with backoff and resubscription are its own.
 */
import { createClient } from 'graphql-ws';

interface Session {
  token: string;
  user: string;
  bot: string;
  remaining: number;
  date_limit: string;
}
interface Message {
  id: string;
  seq: number | null;
  cursor: string | null;
  text: string | null;
  payload: string | null;
  sender: { username: string } | null;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const statusLine = $<HTMLParagraphElement>('status');
const list = $<HTMLOListElement>('messages');
const composer = $<HTMLFormElement>('composer');
const input = $<HTMLTextAreaElement>('text');
const notice = $<HTMLParagraphElement>('notice');
const SESSION_KEY = 'imbee-chat-session';

const base = location.pathname.replace(/\/chat\/?$/, '');
let session: Session;
let conversationId = '';
let lastSeq = 0;
let lastCursor: string | null = null;
/** The live subscription's variables: `a` follows the last message shown. */
let following: { a: string | null } | undefined;
/** The page's GraphQL operations, served by the facade (src/web-access/page-operations.ts). */
let ops: Record<'open' | 'history' | 'send' | 'live', string>;

function fail(message: string) {
  notice.textContent = message;
  notice.hidden = false;
  composer.hidden = true;
  statusLine.textContent = 'Unavailable';
}

async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${session.token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };
  if (body.errors?.length) {
    const e = body.errors[0]!;
    throw new Error(e.extensions?.code === 'UNAUTHENTICATED' ? 'expired' : e.message);
  }
  return body.data as T;
}

function show(m: Message) {
  if (m.seq !== null && m.seq <= lastSeq) return; // already shown (replay after a reconnect)
  if (m.seq !== null) {
    lastSeq = m.seq;
    lastCursor = m.cursor;
    if (following) following.a = m.cursor;
  }
  const li = document.createElement('li');
  const mine = m.sender?.username.toLowerCase() === session.user.toLowerCase();
  li.className = mine ? 'mine' : 'theirs';
  li.textContent = m.text ?? m.payload ?? '';
  li.setAttribute('aria-label', `${mine ? 'You' : (m.sender?.username ?? 'System')}: ${li.textContent}`);
  list.append(li);
  li.scrollIntoView({ block: 'end' });
}

/** Opens the session: from this tab's storage after a reload, else by spending one retry of the link. */
async function openSession(): Promise<Session | undefined> {
  const secret = location.hash.slice(1);
  if (secret) history.replaceState(null, '', location.pathname); // the secret leaves the address bar at once
  const stored = sessionStorage.getItem(SESSION_KEY);
  if (!secret && stored) return JSON.parse(stored) as Session;
  if (!secret) {
    fail('This page needs the link you received. Open it again from your message.');
    return undefined;
  }
  const res = await fetch(`${base}/web/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token: secret }),
  });
  const body = (await res.json()) as { code: number; message: string; body: Session };
  if (body.code === 2) fail(`This link has expired. ${body.message}.`);
  else if (body.code === 3) fail('This link has been used as many times as it allows. Ask for a new one.');
  else if (body.code !== 0) fail('This link is not valid.');
  if (body.code !== 0) return undefined;
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(body.body));
  return body.body;
}

/**
 * Live messages from the last one shown. graphql-ws sends the subscribe payload again on every
 * reconnect, so its `after` variable follows what was shown (`show` moves it): a reconnect resumes
 * without gaps, and the few repeats a replay may bring are dropped by `show`.
 */
function live() {
  const variables = { c: conversationId, a: lastCursor };
  following = variables;
  const client = createClient({
    url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`,
    connectionParams: () => ({ authorization: `Bearer ${session.token}` }),
    retryAttempts: Infinity,
    // A revoked or expired session (4401, 4403) is final; anything else is retried with backoff.
    shouldRetry: (e) => !(e instanceof CloseEvent && (e.code === 4401 || e.code === 4403)),
    on: {
      connected: () => void (statusLine.textContent = `Chatting with ${session.bot}`),
      closed: () => void (statusLine.textContent = 'Reconnecting…'),
    },
  });
  client.subscribe<{ messageAdded: Message }>(
    { query: ops.live, variables },
    {
      next: (r) => r.data && show(r.data.messageAdded),
      error: (e) =>
        fail(
          e instanceof CloseEvent && (e.code === 4401 || e.code === 4403)
            ? 'Your session has ended. Open your link again.'
            : 'The live connection failed. Reload the page.',
        ),
      complete: () => undefined,
    },
  );
}

composer.addEventListener('submit', (ev) => {
  ev.preventDefault();
  const text = input.value.trim();
  if (!text) return;
  input.value = '';
  const clientMessageId = crypto.getRandomValues(new Uint32Array(4)).join('-');
  gql(ops.send, { i: { conversationId, type: 'TEXT', text, clientMessageId } }).catch((e: Error) => {
    input.value = text;
    statusLine.textContent = `Not sent: ${e.message}`;
  });
});
input.addEventListener('keydown', (ev) => {
  if (ev.key === 'Enter' && !ev.shiftKey) {
    ev.preventDefault();
    composer.requestSubmit();
  }
});

async function start() {
  const opened = await openSession();
  if (!opened) return;
  session = opened;
  $<HTMLHeadingElement>('title').textContent = `Chat with ${session.bot}`;
  try {
    ops = (await (await fetch(`${base}/chat/operations.json`)).json()) as typeof ops;
    const { openDirectConversation } = await gql<{ openDirectConversation: { id: string } }>(ops.open, { b: session.bot });
    conversationId = openDirectConversation.id;
    const { messages } = await gql<{ messages: { nodes: Message[] } }>(ops.history, { c: conversationId });
    messages.nodes.forEach(show);
  } catch (e) {
    sessionStorage.removeItem(SESSION_KEY);
    return fail((e as Error).message === 'expired' ? 'Your session has ended. Open your link again.' : 'The chat could not be loaded.');
  }
  composer.hidden = false;
  input.focus();
  live();
}

void start();
