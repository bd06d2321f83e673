/**
 * The operator console: sign in with the operator token (kept in this tab's session storage), then
 * everything comes from the GraphQL API as that operator: the server's figures every second
 * (charted as rates with uPlot), apps with their counts and endpoints, the outbox with replay and
 * discard, and the recent errors. Text from the server is only ever set as text, never as markup.
 */
import uPlot from 'uplot';

const TOKEN_KEY = 'imfacade-console-token';
const FIGURES_EVERY_MS = 1_000;
const TABLES_EVERY_MS = 5_000;
const POINTS = 120;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const signIn = $<HTMLFormElement>('sign-in');
const dashboard = $<HTMLElement>('dashboard');
const statusLine = $<HTMLParagraphElement>('status');
const signInError = $<HTMLParagraphElement>('sign-in-error');
const signOut = $<HTMLButtonElement>('sign-out');
const statesSelect = $<HTMLSelectElement>('outbox-states');

let token = sessionStorage.getItem(TOKEN_KEY) ?? '';
const timers: number[] = [];
let selectedApp: { id: string; name: string } | undefined;

class GraphqlError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json().catch(() => ({}))) as { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };
  if (body.errors?.length) throw new GraphqlError(body.errors[0]!.message, body.errors[0]!.extensions?.code);
  if (!res.ok || !body.data) throw new GraphqlError(`HTTP ${res.status}`);
  return body.data;
}

/** A table row of text cells (and optional trailing elements). */
function row(cells: (string | number | null | undefined)[], extra: HTMLElement[] = [], errorCol = -1): HTMLTableRowElement {
  const tr = document.createElement('tr');
  cells.forEach((c, i) => {
    const td = document.createElement('td');
    td.textContent = c === null || c === undefined ? '' : String(c);
    if (i === errorCol) td.className = 'error';
    tr.append(td);
  });
  if (extra.length) {
    const td = document.createElement('td');
    td.append(...extra);
    tr.append(td);
  }
  return tr;
}

function button(label: string, testId: string, action: () => Promise<unknown>, secondary = false): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = label;
  b.dataset.testid = testId;
  if (secondary) b.className = 'secondary';
  b.addEventListener('click', () => {
    b.disabled = true;
    action()
      .then(refreshTables)
      .catch((e: Error) => (statusLine.textContent = `${label} failed: ${e.message}`))
      .finally(() => (b.disabled = false));
  });
  return b;
}

const fill = (tbody: HTMLElement, rows: HTMLTableRowElement[]) => tbody.replaceChildren(...rows);
const time = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleTimeString() : '');
const set = (id: string, v: string | number) => ($(id).textContent = typeof v === 'number' ? v.toLocaleString() : v);

interface Figures {
  at: string;
  recording: boolean;
  sockets: number;
  subscriptions: number;
  messagesSent: number;
  requests: number;
  errors: number;
  refusals: number;
  deliveriesPending: number;
  deliveriesDead: number;
  surfaces: { surface: string; requests: number; errors: number }[];
}

const FIGURES = `query ConsoleFigures { serverFigures { at recording sockets subscriptions messagesSent requests errors refusals
  deliveriesPending deliveriesDead surfaces { surface requests errors } } }`;

/** Rolling series: time, then one array per line. */
const series = { t: [] as number[], messages: [] as number[], requests: [] as number[], errors: [] as number[], refusals: [] as number[] };
let previous: Figures | undefined;
let traffic: uPlot | undefined;
let trouble: uPlot | undefined;

function chart(el: HTMLElement, labels: [string, string], colors: [string, string]): uPlot {
  return new uPlot(
    {
      width: 520,
      height: 180,
      series: [{}, { label: labels[0], stroke: colors[0], width: 2 }, { label: labels[1], stroke: colors[1], width: 2 }],
      axes: [{}, { size: 50 }],
      scales: { y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
    },
    [[], [], []],
    el,
  );
}

async function refreshFigures() {
  const f = (await gql<{ serverFigures: Figures }>(FIGURES)).serverFigures;
  $('not-recording').hidden = f.recording;
  set('fig-sockets', f.sockets);
  set('fig-subscriptions', f.subscriptions);
  set('fig-messages', f.messagesSent);
  set('fig-errors', f.errors);
  set('fig-refusals', f.refusals);
  set('fig-pending', f.deliveriesPending);
  set('fig-dead', f.deliveriesDead);
  fill(
    $('surfaces').querySelector('tbody')!,
    f.surfaces.map((s) => row([s.surface, s.requests, s.errors])),
  );
  if (previous) {
    const seconds = Math.max(0.001, (Date.parse(f.at) - Date.parse(previous.at)) / 1000);
    const rate = (k: keyof Figures) => Math.max(0, ((f[k] as number) - (previous![k] as number)) / seconds);
    series.t.push(Date.parse(f.at) / 1000);
    series.messages.push(rate('messagesSent'));
    series.requests.push(rate('requests'));
    series.errors.push(rate('errors'));
    series.refusals.push(rate('refusals'));
    for (const s of Object.values(series)) if (s.length > POINTS) s.shift();
    set('fig-message-rate', series.messages.at(-1)!.toFixed(1));
    set('fig-request-rate', series.requests.at(-1)!.toFixed(1));
    traffic ??= chart($('chart-traffic'), ['messages/s', 'requests/s'], ['#2457c5', '#12b76a']);
    trouble ??= chart($('chart-trouble'), ['errors/s', 'refusals/s'], ['#b42318', '#f79009']);
    traffic.setData([series.t, series.messages, series.requests]);
    trouble.setData([series.t, series.errors, series.refusals]);
  }
  previous = f;
  statusLine.textContent = `updated ${time(f.at)}`;
}

interface Delivery {
  id: string;
  channel: string;
  destination: string;
  eventType: string | null;
  state: string;
  attempts: number;
  createdAt: string;
  deliveredAt: string | null;
  lastError: { status: number | null; message: string } | null;
}
const DELIVERY = 'id channel destination eventType state attempts createdAt deliveredAt lastError { status message }';
const errorText = (d: Pick<Delivery, 'lastError'> | null) =>
  d?.lastError ? `${d.lastError.status ?? ''} ${d.lastError.message}`.trim() : '';

async function refreshApps() {
  const { appOverview } = await gql<{
    appOverview: { app: { id: string; name: string }; users: number; conversations: number; messages: number }[];
  }>('query ConsoleApps { appOverview(first: 200) { app { id name } users conversations messages } }');
  fill(
    $('apps').querySelector('tbody')!,
    appOverview.map((a) =>
      row(
        [a.app.name, a.app.id, a.users, a.conversations, a.messages],
        [button('Endpoints', `endpoints-${a.app.name}`, async () => void (selectedApp = a.app), true)],
      ),
    ),
  );
}

async function refreshEndpoints() {
  const box = $('endpoints');
  box.hidden = !selectedApp;
  if (!selectedApp) return;
  $('endpoints-app').textContent = selectedApp.name;
  const last = `lastDelivery { state deliveredAt createdAt lastError { status message } }`;
  const data = await gql<{
    webhookSubscriptions: { url: string; lastDelivery: Delivery | null }[];
    robots: { rid: string; callbackUrl: string | null; lastDelivery: Delivery | null }[];
    gateways: { channel: string; url: string; lastDelivery: Delivery | null }[];
  }>(
    `query ConsoleEndpoints($app: ID!) { webhookSubscriptions(appId: $app) { url ${last} } robots(appId: $app) { rid callbackUrl ${last} }
      gateways(appId: $app) { channel url ${last} } }`,
    { app: selectedApp.id },
  );
  const lastCell = (d: Delivery | null) => (d ? `${d.state.toLowerCase()} ${time(d.deliveredAt ?? d.createdAt)}` : 'none yet');
  fill(box.querySelector('tbody')!, [
    ...data.webhookSubscriptions.map((w) => row(['webhook', w.url, lastCell(w.lastDelivery), errorText(w.lastDelivery)], [], 3)),
    ...data.robots.map((r) =>
      row(['robot', `${r.rid} → ${r.callbackUrl ?? '(no callback)'}`, lastCell(r.lastDelivery), errorText(r.lastDelivery)], [], 3),
    ),
    ...data.gateways.map((g) => row([`gateway ${g.channel}`, g.url, lastCell(g.lastDelivery), errorText(g.lastDelivery)], [], 3)),
  ]);
}

async function refreshDeliveries() {
  const states = statesSelect.value.split(',');
  const { deliveries } = await gql<{ deliveries: { nodes: Delivery[] } }>(
    `query ConsoleDeliveries($states: [DeliveryState!]) { deliveries(states: $states, first: 50) { nodes { ${DELIVERY} } } }`,
    { states },
  );
  fill(
    $('deliveries').querySelector('tbody')!,
    deliveries.nodes.map((d) => {
      const actions =
        d.state === 'SENDING'
          ? []
          : [
              button('Replay', `replay-${d.id}`, () =>
                gql('mutation ConsoleReplay($id: ID!) { replayDelivery(id: $id) { id } }', { id: d.id }),
              ),
              button(
                'Discard',
                `discard-${d.id}`,
                () => gql('mutation ConsoleDiscard($id: ID!) { discardDelivery(id: $id) }', { id: d.id }),
                true,
              ),
            ];
      const tr = row([time(d.createdAt), d.channel, d.destination, d.eventType, d.state, d.attempts, errorText(d)], actions, 6);
      tr.dataset.delivery = d.id;
      tr.dataset.state = d.state;
      return tr;
    }),
  );
}

async function refreshErrors() {
  const { recentErrors } = await gql<{ recentErrors: { at: string; surface: string; operation: string; code: string; message: string }[] }>(
    'query ConsoleErrors { recentErrors(first: 50) { at surface operation code message } }',
  );
  fill(
    $('errors').querySelector('tbody')!,
    recentErrors.map((e) => row([time(e.at), e.surface, e.operation, e.code, e.message], [], 4)),
  );
}

function refreshTables(): Promise<unknown> {
  return Promise.all([refreshApps(), refreshEndpoints(), refreshDeliveries(), refreshErrors()]);
}

function every(ms: number, fn: () => Promise<unknown>) {
  const run = () => fn().catch((e: Error) => (statusLine.textContent = `could not refresh: ${e.message}`));
  void run();
  timers.push(window.setInterval(run, ms));
}

async function start() {
  try {
    await refreshFigures();
  } catch (e) {
    const err = e as GraphqlError;
    sessionStorage.removeItem(TOKEN_KEY);
    token = '';
    signInError.textContent = err.code === 'FORBIDDEN' || err.code === 'UNAUTHENTICATED' ? 'This is not the operator token.' : err.message;
    signInError.hidden = false;
    return;
  }
  sessionStorage.setItem(TOKEN_KEY, token);
  signIn.hidden = true;
  signOut.hidden = false;
  dashboard.hidden = false;
  every(FIGURES_EVERY_MS, refreshFigures);
  every(TABLES_EVERY_MS, refreshTables);
}

signIn.addEventListener('submit', (e) => {
  e.preventDefault();
  signInError.hidden = true;
  token = $<HTMLInputElement>('token').value.trim();
  void start();
});
signOut.addEventListener('click', () => {
  sessionStorage.removeItem(TOKEN_KEY);
  location.reload();
});
statesSelect.addEventListener('change', () => void refreshDeliveries());
if (token) void start();
