import { statSync, readFileSync } from 'node:fs';
import type { TasksFile, TeamConfig, TeamProjectRow } from '@taskmaster/protocol';
import { TeamCodec } from './codec.js';
import { deriveKey, keyCheck, keyMatches, newSalt } from './seal.js';
import { TeamDatabase } from './team-database.js';

/**
 * Refusals that retrying cannot fix (a wrong passphrase, a passphrase for an
 * unencrypted project…): nothing was written, and the message says what to do.
 */
export class TeamAccessError extends Error {
  override readonly name = 'TeamAccessError';
}

/** A team project opened on its database, with the codec its rows need. */
export interface OpenedProject {
  db: TeamDatabase;
  row: TeamProjectRow;
  codec: TeamCodec;
  /** True when this call created the project (its first snapshot is `createWith()`). */
  created: boolean;
}

/**
 * Connects, migrates and opens the project `config.project`: checks the
 * passphrase against an existing project before anything is read or
 * written, or creates the project (with `createWith()` as its first
 * snapshot) when `createWith` is given.
 */
export async function openTeamProject(
  config: TeamConfig,
  passphrase: string | undefined,
  options: { createWith?: () => TasksFile; onIdleError?: (err: Error) => void } = {},
): Promise<OpenedProject> {
  const db = await TeamDatabase.connect(config.url, options.onIdleError);
  try {
    const name = config.project;
    let row = await db.findProject(name);
    let created = false;
    if (!row && options.createWith) {
      const salt = passphrase === undefined ? undefined : newSalt();
      const key = salt === undefined ? undefined : await deriveKey(passphrase!, salt);
      const codec = new TeamCodec(name, key);
      const data = options.createWith();
      row = await db.createProject(name, key && salt ? { salt, check: keyCheck(key, name) } : undefined, () => codec.encodeSnapshot(0, data));
      if (row) return { db, row, codec, created: true };
      // Another server created it meanwhile: join theirs.
      row = await db.findProject(name);
    }
    if (!row) throw new TeamAccessError(`team project "${name}" does not exist`);
    return { db, row, codec: await codecFor(row, passphrase), created };
  } catch (err) {
    await db.close();
    throw err;
  }
}

/** The codec of an existing project, once the passphrase (or its absence) is known to be right. */
async function codecFor(row: TeamProjectRow, passphrase: string | undefined): Promise<TeamCodec> {
  const encrypted = row.kdf_salt !== null && row.key_check !== null;
  if (!encrypted) {
    if (passphrase !== undefined) throw new TeamAccessError(`team project "${row.name}" is not encrypted, but a passphrase was given; leave it out, or use a new project name`);
    return new TeamCodec(row.name, undefined);
  }
  if (passphrase === undefined) throw new TeamAccessError(`team project "${row.name}" is end-to-end encrypted; give its passphrase (--passphrase-file)`);
  const key = await deriveKey(passphrase, Buffer.from(row.kdf_salt!));
  if (!keyMatches(key, row.name, Buffer.from(row.key_check!))) {
    throw new TeamAccessError(`wrong passphrase for team project "${row.name}"; nothing was read or written`);
  }
  return new TeamCodec(row.name, key);
}

/**
 * Reads a team passphrase file. It must be readable by its owner only (mode
 * 0600 or stricter): a passphrase others can read protects nothing.
 */
export function readPassphraseFile(file: string): string {
  const st = statSync(file);
  if ((st.mode & 0o077) !== 0) {
    throw new TeamAccessError(`the passphrase file ${file} is readable by others (mode ${(st.mode & 0o777).toString(8)}); run: chmod 600 ${file}`);
  }
  const text = readFileSync(file, 'utf8');
  if (text.replace(/[\r\n]+$/, '').length === 0) throw new TeamAccessError(`the passphrase file ${file} is empty; write the project's passphrase in it`);
  return text;
}

/**
 * What `taskmaster team join` checks before it writes anything: the database
 * answers, and the passphrase (or its absence) is right for the project if it
 * exists. A project that does not exist yet is created by the first server
 * that joins it, from that server's file.
 */
export async function checkTeamAccess(config: TeamConfig, passphrase: string | undefined): Promise<{ exists: boolean; encrypted: boolean }> {
  const db = await TeamDatabase.connect(config.url);
  try {
    const row = await db.findProject(config.project);
    if (!row) return { exists: false, encrypted: passphrase !== undefined };
    const codec = await codecFor(row, passphrase);
    return { exists: true, encrypted: codec.encrypted };
  } finally {
    await db.close();
  }
}
