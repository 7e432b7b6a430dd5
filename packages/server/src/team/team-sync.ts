import { resolve } from 'node:path';
import { ErrorCode, TaskmasterError, type TeamStatus } from '@taskmaster/protocol';
import type { SyncEngine } from '../engine.js';

/** A running team sync of one server. */
export interface TeamSync {
  status(): TeamStatus;
  close(): Promise<void>;
}

/**
 * Joins the project's team when `sync.json` has a `team` section: every
 * version the engine comes to hold is offered to the team's outbox, and the
 * team's changes are written through the engine's commit queue with the
 * merge it uses for outside writes. Undefined when there is no team.
 */
export async function startTeamSync(engine: SyncEngine): Promise<TeamSync | undefined> {
  const config = engine.store.config.team;
  if (!config) return undefined;
  // Loaded only for a team: it brings node-postgres, a few MB a server without one never needs.
  const { readPassphraseFile, TeamReplica } = await import('@taskmaster/team');
  const log = engine.options.log;
  let passphrase: string | undefined;
  if (config.passphraseFile !== undefined) {
    try {
      passphrase = readPassphraseFile(resolve(engine.store.root, config.passphraseFile));
    } catch (err) {
      throw new TaskmasterError(ErrorCode.FileAccessDenied, `team sync: ${err instanceof Error && err.name === 'TeamAccessError' ? err.message : `cannot read the passphrase file ${config.passphraseFile}; check that it exists and that you may read it`}`);
    }
  }
  const replica = await TeamReplica.start({
    taskmasterDir: engine.store.paths.taskmasterDir,
    config,
    passphrase,
    host: { current: () => engine.data, applyRemote: (plan) => engine.applyRemote(plan) },
    log,
  });
  engine.teamHolds = (tag, fullId) => replica.holds(tag, fullId);
  engine.onVersion = (version) => {
    try {
      replica.noteVersion(version);
    } catch (err) {
      // The file holds the change; only the outbox record failed (a full disk): it is found again at the next start.
      log('error', 'team sync could not record a local change in its outbox', { error: err instanceof Error ? err.name : 'unknown' });
    }
  };
  return {
    status: () => replica.status(),
    close: async () => {
      engine.onVersion = undefined;
      engine.teamHolds = undefined;
      await replica.close();
    },
  };
}
