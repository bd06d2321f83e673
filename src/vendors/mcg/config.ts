import { z } from 'zod';
import { envVar } from '../../config/define';
import { positiveInt } from '../../config/types';
import { adapterSection } from '../kit/config';

const keyList = z
  .string()
  .regex(
    /^[A-Za-z0-9_.-]{1,32}:[^,]{32,}(,[A-Za-z0-9_.-]{1,32}:[^,]{32,})*$/,
    '`kid:secret` pairs, comma-separated, secrets of 32+ characters',
  )
  .optional();

export const mcgConfig = adapterSection(
  'mcg',
  'MCG',
  100,
  {
    MCG_JWT_KEYS: envVar(
      keyList,
      'HS256 keys of provider access tokens as `kid:secret,…`: the first signs, all verify (rotate by putting a new key first); default: one key derived from `SECRETS_KEY`',
    ),
    MCG_TOKEN_TTL_SECONDS: envVar(positiveInt.max(86_400).default(3600), 'lifetime of MCG provider access tokens'),
    MCG_ISSUER: envVar(z.string().min(1).max(200).default('imfacade'), '`iss` of MCG provider tokens and introspection answers'),
  },
  (v) => ({ jwtKeys: v.MCG_JWT_KEYS, tokenTtlSeconds: v.MCG_TOKEN_TTL_SECONDS, issuer: v.MCG_ISSUER }),
);
