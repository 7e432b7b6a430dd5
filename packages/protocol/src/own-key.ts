/**
 * Sets `key` as an own, enumerable property of `target`, as `JSON.parse` makes
 * them. Keys come from files and the wire: plain assignment of a tag or field
 * named `__proto__` would set the object's prototype instead of a key.
 */
export function setOwnKey(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** `target`'s own property `key`, or undefined: never one inherited (`constructor`, `__proto__`). */
export function ownValue(target: object, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(target, key) ? (target as Record<string, unknown>)[key] : undefined;
}
