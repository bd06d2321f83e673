import DataLoader from 'dataloader';
import type { AppRecord } from '../apps/service';
import type { UserRecord } from '../users/records';

/** Per-request batch loaders: one database round trip per kind of entity per tick. */
export interface Loaders {
  appById: DataLoader<string, AppRecord | null>;
  userById: DataLoader<string, UserRecord | null>;
}

export interface LoaderSources {
  appsByIds(ids: readonly string[]): Promise<(AppRecord | null)[]>;
  usersByIds(ids: readonly string[]): Promise<(UserRecord | null)[]>;
}

export function createLoaders(sources: LoaderSources): Loaders {
  return {
    appById: new DataLoader((ids) => sources.appsByIds(ids)),
    userById: new DataLoader((ids) => sources.usersByIds(ids)),
  };
}
