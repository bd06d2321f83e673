import type { FastifyRequest } from 'fastify';
import type { AppRecord } from '../../apps/service';
import type { Principal, RequestContext } from '../../domain/context';
import type { DomainError } from '../../domain/errors';
import type { TransportFailure, VendorError } from './errors';

/** What every dialect's call carries once its app and caller are established. */
export interface KitCall {
  /** The app the request acts in; null only where a dialect finds none before authenticating. */
  app: AppRecord | null;
  ctx: RequestContext;
  started: number;
}

export interface AuthBase {
  ctx: RequestContext;
  started: number;
  as(principal: Principal): RequestContext;
}

/** An answer in a dialect's terms. */
export interface Rendered {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/**
 * Everything that makes one vendor's API sound like that vendor: how a request finds its app and
 * proves who it is, how bodies are read, what success looks like, and the one table from domain
 * error codes to the vendor's status and error.
 */
export interface Dialect<Access extends string, Call extends KitCall, Result> {
  /**
   * Establishes the app and the principal under the route's access rule; throws when refused.
   * `base.ctx` is anonymous; `base.as(principal)` is the request acting as what the credential
   * check (services.credentials) proved.
   */
  authenticate(req: FastifyRequest, access: Access, base: AuthBase): Promise<Call>;
  /** True when the request's credentials are known good without a database read (the anonymous gate lets it through). */
  hasKnownCredentials(req: FastifyRequest): boolean;
  /** Reads a raw body (any content type the vendor's clients send); throws a VendorError when unreadable. */
  parseBody(raw: string, contentType: string | undefined): unknown;
  /** The one table: a domain error in this dialect. */
  fromDomain(e: DomainError): VendorError;
  /** Failures before a route runs (bad body, unknown route…) and unexpected errors. */
  transport(kind: TransportFailure, message: string): VendorError;
  renderError(e: VendorError, started: number): Rendered;
  renderSuccess(call: Call, result: Result): Rendered;
}
