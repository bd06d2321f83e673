import inspector from 'node:inspector/promises';
import { say } from './proc';

/**
 * CPU profiles taken in-process with the inspector (the V8 sampling profiler `--cpu-prof` uses),
 * around a stretch of load, and summed up by where the time went: each package under
 * node_modules, each area of our own code, Node's internals, the garbage collector.
 */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export async function profileWhile<T>(work: () => Promise<T>, intervalUs = 200): Promise<{ result: T; profile: CpuProfile }> {
  const session = new inspector.Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: intervalUs });
    await session.post('Profiler.start');
    const result = await work();
    const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: CpuProfile };
    return { result, profile };
  } finally {
    session.disconnect();
  }
}

export interface ProfileSummary {
  /** Milliseconds of samples that were not idle. */
  busyMs: number;
  /** Share of busy time by where the code lives, largest first. */
  byPlace: { place: string; ms: number; share: number }[];
  /** Functions with the most self time. */
  top: { fn: string; place: string; ms: number; share: number }[];
  /** Our own functions by inclusive time (themselves and what they call). */
  oursInclusive: { fn: string; place: string; ms: number; share: number }[];
}

/** Where a script lives: `apollo-server` for node_modules/@apollo/server, `ours:graphql` for dist/src/graphql. */
export function placeOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node';
  const mod = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (mod) return mod[1]!;
  const own = url.match(/dist\/(src|bench)\/([^/]+)/);
  if (own) return own[1] === 'src' ? `ours:${own[2]!.replace(/\.js$/, '')}` : 'bench';
  return 'other';
}

const keyOf = (frame: CpuProfile['nodes'][number]['callFrame']) =>
  `${frame.functionName || '(anonymous)'} ${frame.url.split('/').slice(-1)[0] ?? ''}:${frame.lineNumber + 1}`;

export function summarise(profile: CpuProfile, topN = 15): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const places = new Map<string, number>();
  const fns = new Map<string, { place: string; us: number }>();
  const ours = new Map<string, { place: string; us: number }>();
  let busy = 0;
  for (const [id, us] of self) {
    const frame = byId.get(id)!.callFrame;
    if (frame.functionName === '(idle)') continue;
    busy += us;
    const place = placeOf(frame.url, frame.functionName);
    places.set(place, (places.get(place) ?? 0) + us);
    const key = keyOf(frame);
    const f = fns.get(key) ?? { place, us: 0 };
    f.us += us;
    fns.set(key, f);
    // Inclusive time of our own functions: each distinct one on the stack counts once.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const up = byId.get(at)!.callFrame;
      const upPlace = placeOf(up.url, up.functionName);
      if (!upPlace.startsWith('ours:')) continue;
      const k = keyOf(up);
      if (seen.has(k)) continue;
      seen.add(k);
      const o = ours.get(k) ?? { place: upPlace, us: 0 };
      o.us += us;
      ours.set(k, o);
    }
  }
  const ms = (us: number) => Math.round(us / 100) / 10;
  const share = (us: number) => Math.round((us / Math.max(1, busy)) * 1000) / 10;
  const ranked = (m: Map<string, { place: string; us: number }>) =>
    [...m]
      .sort((a, b) => b[1].us - a[1].us)
      .slice(0, topN)
      .map(([fn, f]) => ({ fn, place: f.place, ms: ms(f.us), share: share(f.us) }));
  return {
    busyMs: ms(busy),
    byPlace: [...places].sort((a, b) => b[1] - a[1]).map(([place, us]) => ({ place, ms: ms(us), share: share(us) })),
    top: ranked(fns),
    oursInclusive: ranked(ours),
  };
}

/**
 * For baseline helpers: `cpu` answers `RESULT` with the process's CPU time so far;
 * `profile-start` starts the profiler and `profile-stop` stops it and answers `RESULT` with the
 * summary, so that a baseline is measured and profiled exactly as our server is.
 */
export function serveInspection(onCommand: (handler: (line: string) => void) => void) {
  let stop: ((v: void) => void) | undefined;
  onCommand((line) => {
    if (line === 'cpu') say('RESULT', process.cpuUsage());
    else if (line === 'profile-start' && !stop) {
      const done = new Promise<void>((r) => (stop = r));
      void profileWhile(() => done).then(({ profile }) => say('RESULT', summarise(profile)));
    } else if (line === 'profile-stop' && stop) {
      stop();
      stop = undefined;
    }
  });
}
