import { z } from 'zod';
import { envVar } from '../../config/define';
import { positiveInt } from '../../config/types';
import { adapterSection } from '../kit/config';

export const imbeeConfig = adapterSection(
  'imbee',
  'Imbee',
  100,
  {
    IMBEE_DEFAULT_MAX_RETRIES: envVar(
      positiveInt.max(1000).default(10),
      'Imbee `/token/new`: openings a link allows when `max_retries` is not given',
    ),
    IMBEE_DEFAULT_VALID_DAYS: envVar(
      positiveInt.max(3650).default(30),
      'Imbee `/token/new`: days a link stays valid when `date_limit` is not given',
    ),
    IMBEE_PUBLIC_URL: envVar(
      z.url().optional(),
      'base URL the web chat links point at (e.g. `https://chat.example.com`); default: the address the request came to',
    ),
  },
  (v) => ({ defaultMaxRetries: v.IMBEE_DEFAULT_MAX_RETRIES, defaultValidDays: v.IMBEE_DEFAULT_VALID_DAYS, publicUrl: v.IMBEE_PUBLIC_URL }),
);
