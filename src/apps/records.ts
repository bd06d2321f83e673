/** What the rest of the domain sees of an app: never a secret or a digest. */
export interface AppRecord {
  id: string;
  name: string;
  openRegistration: boolean;
  /** Each credential kind's public view (its ids), by the kind's key. */
  dialects: Readonly<Record<string, object>>;
  createdAt: Date;
  updatedAt: Date;
}

/** Credentials as printed by `app create` / `rotate-secret`: plain secrets appear only here, once; one entry per kind. */
export type AppCredentialSet = { appId: string; name: string } & { [kind: string]: unknown };
