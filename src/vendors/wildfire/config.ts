import { envVar } from '../../config/define';
import { positiveInt } from '../../config/types';
import { adapterSection } from '../kit/config';

export const wildfireConfig = adapterSection(
  'wildfire',
  'Wildfire robot',
  100,
  {
    WILDFIRE_SIGN_WINDOW_SECONDS: envVar(
      positiveInt.default(7200),
      'Wildfire signed calls: largest allowed distance between `timestamp` and server time; nonces are remembered this long',
    ),
  },
  (v) => ({ signWindowMs: v.WILDFIRE_SIGN_WINDOW_SECONDS * 1000 }),
);
