import { current, isDraft } from 'immer';

/**
 * `value` with every draft of a running transaction replaced by a plain copy
 * of it, so it stays usable after the transaction ends (drafts are revoked
 * then). Call it on anything read inside a transaction function that outlives
 * it; transact already does so for the function's return value.
 */
export function detached<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (isDraft(value)) return current(value as object) as T;
  // Frozen data is finished: it holds no drafts.
  if (Object.isFrozen(value)) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    value.forEach((item: unknown, i) => {
      const plain = detached(item);
      if (plain !== item) (copy ??= [...value])[i] = plain;
    });
    return (copy ?? value) as T;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  let copy: Record<string, unknown> | undefined;
  const record = value as Record<string, unknown>;
  // for…in, not Object.entries: no array per object and per key, for every task a write returns.
  for (const key in record) {
    if (!Object.prototype.hasOwnProperty.call(record, key)) continue;
    const item = record[key];
    const plain = detached(item);
    if (plain !== item) (copy ??= { ...record })[key] = plain;
  }
  return (copy ?? value) as T;
}
