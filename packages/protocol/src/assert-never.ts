/**
 * The `default:` of a switch that handles every member of a union: it only
 * compiles while every case is handled, so adding an event (or any member)
 * fails the build wherever it is not. Throws if reached anyway (a value the
 * types did not allow, e.g. from an unchecked cast).
 */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`unhandled ${what}: ${JSON.stringify(value)}`);
}
