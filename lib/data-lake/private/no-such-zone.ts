import type { IConstruct } from 'constructs';
import { PlatformValidationError } from '../../core/problems';

/** A zone asked of a lake that has none of that name: input refused, naming the lake's zones. */
export function noSuchZone(who: string, zone: string, zones: readonly string[], scope?: IConstruct): Error {
  return new PlatformValidationError(
    who,
    [{ field: 'zone', value: zone, message: `is not a zone of this lake; its zones: ${zones.join(', ')}` }],
    scope,
  );
}
