import type { PoolClient } from 'pg';

/**
 * The team schema, one numbered step at a time. A step is never edited once
 * released: a change is a new step. Every server runs the steps it has not
 * seen on connect, one at a time across the team (an advisory lock), so
 * servers of different versions can share a database during an upgrade.
 */
export const MIGRATIONS: ReadonlyArray<{ version: number; sql: string }> = [
  {
    version: 1,
    sql: `
      CREATE TABLE taskmaster_team_projects (
        id bigserial PRIMARY KEY,
        name text NOT NULL UNIQUE,
        -- The counter row: the writing transaction takes the next numbers with UPDATE … RETURNING,
        -- which also orders writers, so a reader never sees seq n+1 before seq n.
        last_seq bigint NOT NULL DEFAULT 0,
        kdf_salt bytea,
        key_check bytea,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      -- Append-only: rows are never updated or deleted.
      CREATE TABLE taskmaster_team_changes (
        project_id bigint NOT NULL REFERENCES taskmaster_team_projects(id),
        seq bigint NOT NULL,
        change_id uuid NOT NULL,
        payload bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (project_id, seq),
        UNIQUE (project_id, change_id)
      );
      -- The whole file at a sequence number, for joiners: the last one, then the changes after it.
      CREATE TABLE taskmaster_team_snapshots (
        project_id bigint NOT NULL REFERENCES taskmaster_team_projects(id),
        seq bigint NOT NULL,
        payload bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (project_id, seq)
      );
    `,
  },
];

/** Arbitrary, fixed: the advisory lock that serialises migrations across servers. */
const MIGRATION_LOCK = 7_413_020_511;

/** Brings the schema up to date; returns the versions applied now. */
export async function migrate(client: PoolClient): Promise<number[]> {
  const applied: number[] = [];
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS taskmaster_team_migrations (version int PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
    const done = await client.query<{ version: number }>('SELECT version FROM taskmaster_team_migrations');
    const seen = new Set(done.rows.map((r) => Number(r.version)));
    for (const step of MIGRATIONS) {
      if (seen.has(step.version)) continue;
      await client.query(step.sql);
      await client.query('INSERT INTO taskmaster_team_migrations (version) VALUES ($1)', [step.version]);
      applied.push(step.version);
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
  return applied;
}
