import { createCipheriv, createDecipheriv, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * End-to-end encryption of what the team's database stores: AES-256-GCM under
 * a key derived by scrypt from the team passphrase and a per-project salt.
 * The database sees project names, sequence numbers and sizes, never task text.
 * A payload is bound to its place (`aad`: project and row), so a row copied to
 * another place fails to open instead of being taken as genuine.
 */

const IV_BYTES = 12;
const TAG_BYTES = 16;
/** scrypt cost: about 0.1 s and 32 MB once per server start — cheap for us, costly for a guesser. */
const SCRYPT = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
/** Sealed under the key when a project is created; opening it proves a passphrase right. */
const KEY_CHECK = Buffer.from('taskmaster-team-key-check-v1');

/** A derived team key. */
export interface TeamKey {
  readonly key: Buffer;
}

/** A fresh salt for a new encrypted project. */
export function newSalt(): Buffer {
  return randomBytes(16);
}

/** Derives the project key from the passphrase (trailing newlines, as editors leave them, are not part of it). */
export function deriveKey(passphrase: string, salt: Buffer): Promise<TeamKey> {
  const secret = passphrase.replace(/[\r\n]+$/, '');
  if (secret.length === 0) return Promise.reject(new Error('the team passphrase file is empty'));
  return new Promise((resolve, reject) =>
    scrypt(secret, salt, 32, SCRYPT, (err, key) => (err ? reject(err) : resolve({ key }))),
  );
}

/** `iv | ciphertext | tag`. */
export function seal(key: TeamKey, plaintext: Buffer, aad: string): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key.key, iv);
  cipher.setAAD(Buffer.from(aad));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]);
}

/** Opens what {@link seal} made; throws when the key or the place (`aad`) is wrong or the bytes were changed. */
export function open(key: TeamKey, sealed: Buffer, aad: string): Buffer {
  if (sealed.length < IV_BYTES + TAG_BYTES) throw new Error('sealed payload too short');
  const iv = sealed.subarray(0, IV_BYTES);
  const tag = sealed.subarray(sealed.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key.key, iv);
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
}

/** The key check stored with a new encrypted project. */
export function keyCheck(key: TeamKey, project: string): Buffer {
  return seal(key, KEY_CHECK, `check:${project}`);
}

/** True when `key` opens the project's key check: the passphrase is the team's. */
export function keyMatches(key: TeamKey, project: string, check: Buffer): boolean {
  try {
    const opened = open(key, check, `check:${project}`);
    return opened.length === KEY_CHECK.length && timingSafeEqual(opened, KEY_CHECK);
  } catch {
    return false;
  }
}
