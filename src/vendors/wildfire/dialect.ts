import crypto from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { SurfacePort as Services } from '../../ports/surface';
import type { RobotRecord } from '../../robots/service';
import type { NonceLedger } from './nonces';
import { parseJsonBody } from '../kit/body';
import type { Dialect, KitCall } from '../kit/dialect';
import type { Router } from '../kit/router';
import { fromDomain, JSON_UTF8, renderError, transport, wildfireError } from './errors';

/** Every robot API call is signed; there is no other access rule. */
export type WildfireAccess = 'robot';
export type WildfireCall = KitCall & { robot: RobotRecord; secret: string };
/** What a route answers: `result`, or nothing (`{code, msg}` alone). */
export type WildfireResult = { result?: unknown };

const header = (req: FastifyRequest, name: string) => {
  const v = req.headers[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
};

const sha1 = (s: string) => crypto.createHash('sha1').update(s).digest('hex');
const sameText = (a: string, b: string) => {
  const [x, y] = [Buffer.from(a), Buffer.from(b)];
  return x.length === y.length && crypto.timingSafeEqual(x, y);
};

/**
 * The Wildfire robot API dialect: headers `nonce`, `timestamp` (ms), `sign` =
 * sha1(nonce|secret|timestamp) and `rid`; every answer `{code, msg, result}` with HTTP 200.
 */
export function wildfireDialect(
  services: Services,
  nonces: NonceLedger,
  windowMs: number,
): Dialect<WildfireAccess, WildfireCall, WildfireResult> {
  return {
    async authenticate(req, _access, { ctx, started, as }) {
      const [nonce, timestamp, sign, rid] = ['nonce', 'timestamp', 'sign', 'rid'].map((h) => header(req, h));
      if (!nonce || !timestamp || !sign || !rid) throw wildfireError('notSigned', 'headers nonce, timestamp, sign and rid are required');
      if (nonce.length > 128 || rid.length > 64 || sign.length > 64) throw wildfireError('invalidParameter', 'signature headers too long');
      if (!/^\d{1,16}$/.test(timestamp) || Math.abs(Date.now() - Number(timestamp)) > windowMs)
        throw wildfireError('signExpired', 'timestamp too far from server time');
      const signs = (secret: string) => sameText(sha1(`${nonce}|${secret}|${timestamp}`), sign.toLowerCase());
      const proven = await services.credentials.robot(ctx, rid, signs);
      if (!proven) throw wildfireError('authFailure').refusingCredentials();
      // Checked after the signature, so unsigned junk cannot use up nonces.
      if (!(await nonces.firstUse(proven.robot.rid, nonce))) throw wildfireError('signExpired', 'nonce already used');
      return { app: proven.app, ctx: as(proven.principal), started, robot: proven.robot, secret: proven.robot.secret };
    },
    hasKnownCredentials: () => false,
    // Bodies are JSON whatever Content-Type or Content-Encoding says; none at all reads as {}.
    parseBody: (raw) => parseJsonBody(raw, () => wildfireError('invalidData', 'the body must be JSON'), {}),
    fromDomain,
    transport,
    renderError,
    renderSuccess: (_call, r) => ({
      status: 200,
      body: r.result === undefined ? { code: 0, msg: 'success' } : { code: 0, msg: 'success', result: r.result },
      headers: JSON_UTF8,
    }),
  };
}

export interface WildfireRoutes {
  route: Router<WildfireAccess, WildfireCall, WildfireResult>;
  services: Services;
}
