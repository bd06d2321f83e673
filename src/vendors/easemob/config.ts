import { z } from 'zod';
import { envVar } from '../../config/define';
import { adapterSection } from '../kit/config';

export const easemobConfig = adapterSection(
  'easemob',
  'Easemob',
  100,
  {
    EASEMOB_ORG_NAME: envVar(
      z
        .string()
        .regex(/^[a-z0-9]{1,32}$/, 'lowercase letters and digits, at most 32')
        .default('imfacade'),
      'Easemob `org_name` given to new apps',
    ),
  },
  (v) => ({ orgName: v.EASEMOB_ORG_NAME }),
);
