/**
 * How deep JSON values from outside (messages, request bodies, tasks.json)
 * may nest. Task Master's own files nest about eight levels; a few hundred
 * leave room for any metadata a tool stores, while values nested thousands
 * deep make every recursive walk (JSON.stringify, equality, freezing) blow
 * the stack — so they are refused at the edge as invalid input.
 */
export const MAX_JSON_DEPTH = 256;

/**
 * True when `value` nests objects or arrays deeper than `maxDepth` (a scalar
 * is depth 0, `[]` and `{}` depth 1). Iterative, so any depth is measured
 * without recursion; it stops at the first value that is too deep.
 */
export function exceedsJsonDepth(value: unknown, maxDepth = MAX_JSON_DEPTH): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const stack: object[] = [value];
  const depths: number[] = [1];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const depth = depths.pop()!;
    if (depth > maxDepth) return true;
    if (Array.isArray(node)) {
      for (const item of node) {
        if (typeof item === 'object' && item !== null) {
          stack.push(item);
          depths.push(depth + 1);
        }
      }
    } else {
      for (const key of Object.keys(node)) {
        const item = (node as Record<string, unknown>)[key];
        if (typeof item === 'object' && item !== null) {
          stack.push(item);
          depths.push(depth + 1);
        }
      }
    }
  }
  return false;
}

/** The message for a value refused by {@link exceedsJsonDepth}, naming what it was. */
export function tooDeepMessage(what: string, maxDepth = MAX_JSON_DEPTH): string {
  return `${what} nests values deeper than ${maxDepth} levels; flatten it (Task Master's files nest about 8)`;
}
