import { z } from 'zod';
import type { ErrorOverrides } from '../kit/errors';
import { appPath, name, spec } from './contract';
import type { EasemobAccess } from './dialect';
import type { EasemobCall } from './envelope';

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
const numericId = (key: string) =>
  z
    .string()
    .regex(/^[1-9]\d{0,15}$/, `${key} must be a numeric id`)
    .transform(Number);

/**
 * Spec builders for the routes below one numbered resource of the app (`/chatgroups/{group_id}…`,
 * `/chatrooms/{chatroom_id}…`): the id parsed as a number and the resource's own
 * not-found wording, under one access rule. `user` routes end in `/{username}`, `names` routes in
 * `/{a,b,c}`.
 */
export function scopedSpecs<K extends string>(
  collection: string,
  key: K,
  errors: ErrorOverrides<{ params: Record<K, number> }, EasemobCall>,
  maxNames: number,
  access: EasemobAccess,
) {
  const id = numericId(key);
  const shape = { ...appPath, [key]: id };
  const base = `/:org_name/:app_name/${collection}/:${key}`;
  // zod cannot infer an object whose key is a type parameter: say what it parses to.
  type Params = { org_name: string; app_name: string } & Record<K, number>;
  const params = <T>(extra: z.ZodRawShape) => z.object({ ...shape, ...extra }) as unknown as z.ZodType<Params & T>;
  const names = z
    .string()
    .max(maxNames * 65)
    .transform((v) => v.split(',').filter(Boolean))
    .pipe(z.array(name).min(1).max(maxNames, `at most ${maxNames} usernames per call`));
  return {
    one: <B = unknown, Q = unknown>(method: Method, path: string, extra: { body?: z.ZodType<B>; query?: z.ZodType<Q> } = {}) =>
      spec({
        method,
        path: `${base}${path}`,
        access,
        params: params<object>({}),
        errors,
        ...extra,
      }),
    user: (method: 'POST' | 'DELETE', path: string) =>
      spec({ method, path: `${base}${path}/:username`, access, params: params<{ username: string }>({ username: name }), errors }),
    names: (path: string) =>
      spec({
        method: 'DELETE',
        path: `${base}${path}/:members`,
        access,
        params: params<{ members: string[] }>({ members: names }),
        errors,
      }),
  };
}
