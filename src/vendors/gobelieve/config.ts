import { adapterSection } from '../kit/config';

export const gobelieveConfig = adapterSection('gobelieve', 'GoBelieve', 100, {}, () => ({}));
