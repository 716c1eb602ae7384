/**
 * Freezes a value and every plain object and array inside it, and returns it: exported constants stay what the
 * library wrote for every construct built afterwards (a consumer's assignment throws in strict mode). Class
 * instances inside (e.g. an `InterfaceVpcEndpointAwsService`) are held, not frozen: they belong to their library.
 */
export function deepFreeze<T>(value: T): T {
  if (Array.isArray(value) || isPlainObject(value)) {
    for (const inner of Object.values(value as object)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

function isPlainObject(value: unknown): value is object {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
