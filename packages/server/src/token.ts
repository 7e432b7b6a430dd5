import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A fresh random token (32 bytes, base64url). */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Compares two tokens in constant time; hashing first makes the lengths equal. */
export function tokensEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
