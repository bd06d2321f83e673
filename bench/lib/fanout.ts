import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import type { Application } from '../../src/app/index';
import type { Helper } from './proc';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Deliveries missing for the sends the server acknowledged: each should reach `expected` subscribers. */
export const lostOf = (acked: number[], perMessage: number[], expected: number) =>
  acked.reduce((s, n) => s + Math.max(0, expected - (perMessage[n] ?? 0)), 0);

/**
 * The subscriber process is ready once its sockets are acknowledged; the server then still sets up
 * each subscription (membership check). Load starts once they all listen: `perClient` pub/sub
 * handlers each (a conversation's topic and the member's own).
 */
export async function subscriptionsReady(app: Application, base: number, expected: number) {
  let last = -1;
  let stalled = 0;
  while (app.services.events.subscriptionCount() < base + expected && stalled < 40) {
    const now = app.services.events.subscriptionCount();
    stalled = now === last ? stalled + 1 : 0;
    last = now;
    await sleep(250);
  }
  return app.services.events.subscriptionCount() - base;
}

/** Waits until deliveries stop arriving for 2-3 s (a saturated server drains its queue late), at most 60 s. */
export async function settle(subs: Helper, quick: boolean) {
  let last = -1;
  let stable = 0;
  for (let i = 0; i < 60 && stable < (quick ? 2 : 3); i++) {
    subs.send('count');
    const { received } = await subs.next();
    stable = received === last ? stable + 1 : 0;
    last = received;
    await sleep(1000);
  }
}

/** CPU milliseconds (user + system) between two process.cpuUsage() readings, per 1,000 deliveries. */
export function cpuPerThousand(before: NodeJS.CpuUsage, after: NodeJS.CpuUsage, deliveries: number) {
  const ms = (after.user - before.user + after.system - before.system) / 1000;
  return deliveries > 0 ? Math.round((ms / deliveries) * 1000 * 100) / 100 : NaN;
}

/** What every fan-out scenario is given by bench/run.ts. */
export interface FanoutTarget {
  app: Application;
  adminToken: string;
  gqlUrl: string;
  wsUrl: string;
  seconds: number;
  quick: boolean;
  /** Toy sizes: one step each, to prove the scenario still runs (`--tiny`). */
  tiny?: boolean;
  subscription: string;
}

/** How the serving event loop fared during a step: its delay histogram and garbage collection. */
export interface LoopFigures {
  delayP50Ms: number;
  delayP99Ms: number;
  delayMaxMs: number;
  gcCount: number;
  gcMs: number;
  gcMaxMs: number;
}

/** Watches this process's event loop (perf_hooks) until `stop`. */
export function watchLoop() {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  let gcCount = 0;
  let gcMs = 0;
  let gcMaxMs = 0;
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gcCount++;
      gcMs += e.duration;
      gcMaxMs = Math.max(gcMaxMs, e.duration);
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  const ms = (ns: number) => Math.round(ns / 1e4) / 100;
  return {
    stop(): LoopFigures {
      delay.disable();
      observer.disconnect();
      return {
        delayP50Ms: ms(delay.percentile(50)),
        delayP99Ms: ms(delay.percentile(99)),
        delayMaxMs: ms(delay.max),
        gcCount,
        gcMs: Math.round(gcMs * 10) / 10,
        gcMaxMs: Math.round(gcMaxMs * 10) / 10,
      };
    },
  };
}
