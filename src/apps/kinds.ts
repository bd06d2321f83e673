import type { SchemaDefinition } from 'mongoose';
import type { AppRecord } from './records';

/** What a credential kind is given when it issues or rotates an app's credentials. */
export interface IssueInput<Stored> {
  /** The app's display name (a kind may derive public names from it). */
  appName: string;
  /** What the app holds now, on rotation: public ids stay, secrets change. */
  current?: Stored;
  /** The next value of a deployment-wide counter (integer ids a dialect hands out). */
  next(counter: string, start: number): Promise<number>;
}

/**
 * One dialect's app credentials, owned by its adapter: the adapter's sub-document of the app
 * (`apps.<key>`), how it is issued and rotated, what of it is public and what is shown once.
 * The apps area stores and looks up these sub-documents without knowing what is in them; the
 * adapter verifies presented secrets against them through the credential check.
 */
export interface CredentialKind<Stored extends object = Record<string, unknown>, Secrets extends object = object> {
  /** Its sub-document's key, its GraphQL field on App/AppCredentials, its CLI `--vendor` name. */
  key: string;
  /** Mongoose fields of the sub-document (digests, never plain secrets). */
  fields: SchemaDefinition;
  /** Unique indexes, each a list of paths inside the sub-document. */
  unique?: readonly (readonly string[])[];
  /** Fresh credentials for a new app, or new secrets for `input.current` (ids kept). */
  issue(input: IssueInput<Stored>): Promise<{ stored: Stored; secrets: Secrets }>;
  /** Public ids no other app may hold: when a new app's clash, its name is taken (no redraw). */
  claims?(stored: Stored): Record<string, unknown>;
  /** What any caller allowed to see the app sees (GraphQL `App`): ids only; absent = nothing. */
  publicView?(stored: Stored): object;
  /** Shown once, at creation or rotation: the public part and the plain secrets (null when kept). */
  shown(stored: Stored, secrets: Secrets | null): object;
  /** These credentials are an OAuth client of the whole app: `createAppToken` accepts them. */
  appClient?: { idField: keyof Stored & string; secretMatches(stored: Stored, secret: string): boolean };
}

export type AnyCredentialKind = CredentialKind<any, any>;

/** A declared kind: `of(app)` reads its public view of an app record; `Stored` types verification. */
export interface TypedKind<Stored extends object = object, Public extends object = object> extends AnyCredentialKind {
  of(app: AppRecord): Public;
  /** Never set: carries the stored type to the credential check. */
  readonly storedType?: Stored;
}

export function defineCredentialKind<Stored extends object, Secrets extends object, Public extends object = object>(
  kind: CredentialKind<Stored, Secrets> & { publicView?(stored: Stored): Public },
): TypedKind<Stored, Public> {
  return { ...(kind as AnyCredentialKind), of: (app: AppRecord) => (app.dialects[kind.key] ?? {}) as Public };
}
