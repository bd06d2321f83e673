import { metricsOn } from './metrics';

/** One answer that was an error, as the operator console lists it. */
export interface RecentError {
  at: Date;
  surface: string;
  operation: string;
  code: string;
  message: string;
}

/** The last answers that were errors, newest first, in a ring of fixed size (recorded only while metrics are on). */
const MAX = 200;
const ring: RecentError[] = [];

export function noteError(e: Omit<RecentError, 'at'>): void {
  if (!metricsOn()) return;
  ring.unshift({ ...e, message: e.message.slice(0, 300), at: new Date() });
  if (ring.length > MAX) ring.length = MAX;
}

export function recentErrors(limit: number, surface?: string | null): RecentError[] {
  return (surface ? ring.filter((e) => e.surface === surface) : ring).slice(0, Math.max(0, Math.min(limit, MAX)));
}
