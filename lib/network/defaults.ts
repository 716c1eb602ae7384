import { deepFreeze } from '../catalog/deep-freeze';
/** Defaults of PlatformNetwork (reused by the definition). */
export const NETWORK_DEFAULTS = deepFreeze({ maxAzs: 3, natGateways: 1, cidr: '10.0.0.0/16' } as const);
