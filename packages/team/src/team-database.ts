import pg from 'pg';
import {
  TeamChangeRowSchema,
  TeamProjectRowSchema,
  TeamSnapshotRowSchema,
  type TeamChangeRow,
  type TeamProjectRow,
  type TeamSnapshotRow,
} from '@taskmaster/protocol';
import { migrate } from './migrations.js';

/** A row to append: its unique id and its (possibly sealed) payload. */
export interface NewChange {
  id: string;
  payload: Buffer;
}

/** The NOTIFY channel of a project: a wake-up only, the table is the truth. */
export const channelOf = (projectId: number) => `taskmaster_team_${projectId}`;

/**
 * The team's PostgreSQL log: projects, the append-only change table and the
 * snapshots. Every query is parameterised; rows read back are validated.
 */
export class TeamDatabase {
  private constructor(
    private readonly pool: pg.Pool,
    private readonly url: string,
  ) {}

  /** Connects and brings the schema up to date. Errors never carry the URL (it may hold a password). */
  static async connect(url: string, onIdleError: (err: Error) => void = () => {}): Promise<TeamDatabase> {
    const pool = new pg.Pool({ connectionString: url, max: 3, connectionTimeoutMillis: 5000, idleTimeoutMillis: 30_000 });
    // An idle client whose server went away emits here; unhandled, it would end the process.
    pool.on('error', onIdleError);
    try {
      const client = await pool.connect();
      try {
        await migrate(client);
      } finally {
        client.release();
      }
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw err;
    }
    return new TeamDatabase(pool, url);
  }

  async findProject(name: string): Promise<TeamProjectRow | undefined> {
    const res = await this.pool.query('SELECT id, name, last_seq, kdf_salt, key_check FROM taskmaster_team_projects WHERE name = $1', [name]);
    return res.rows[0] === undefined ? undefined : TeamProjectRowSchema.parse(res.rows[0]);
  }

  /**
   * Creates the project with its first snapshot (seq 0), in one transaction;
   * undefined when another server created it first (join it instead).
   */
  async createProject(name: string, keys: { salt: Buffer; check: Buffer } | undefined, snapshot: (projectId: number) => Buffer): Promise<TeamProjectRow | undefined> {
    return this.transaction(async (client) => {
      const res = await client.query(
        `INSERT INTO taskmaster_team_projects (name, kdf_salt, key_check) VALUES ($1, $2, $3)
         ON CONFLICT (name) DO NOTHING RETURNING id, name, last_seq, kdf_salt, key_check`,
        [name, keys?.salt ?? null, keys?.check ?? null],
      );
      if (res.rows[0] === undefined) return undefined;
      const row = TeamProjectRowSchema.parse(res.rows[0]);
      await client.query('INSERT INTO taskmaster_team_snapshots (project_id, seq, payload) VALUES ($1, 0, $2)', [row.id, snapshot(row.id)]);
      return row;
    });
  }

  /**
   * Appends changes in one transaction and returns each one's sequence number.
   * Ids the log holds already (a push retried after a crash) keep their number
   * and are not added again. Numbers come from the project's counter row
   * (`UPDATE … RETURNING`), locked until commit, so they appear in order.
   *
   * With `knownHead`, the last number of the log the changes were made
   * against, nothing new is added when the log has gone past it: undefined
   * then, and the caller pulls first. Its tasks then keep the ids the log
   * gave away (see IdRenames), and no row names a task it had not seen.
   */
  async append(projectId: number, changes: readonly NewChange[]): Promise<Array<{ id: string; seq: number }>>;
  async append(projectId: number, changes: readonly NewChange[], knownHead: number): Promise<Array<{ id: string; seq: number }> | undefined>;
  async append(projectId: number, changes: readonly NewChange[], knownHead?: number): Promise<Array<{ id: string; seq: number }> | undefined> {
    if (changes.length === 0) return [];
    return this.transaction(async (client) => {
      const ids = changes.map((c) => c.id);
      // The counter row first: it serialises writers of this project, so the check below cannot race.
      const fresh = (await client.query('SELECT last_seq FROM taskmaster_team_projects WHERE id = $1 FOR UPDATE', [projectId])).rows[0];
      if (!fresh) throw new Error('the team project is gone from the database');
      const known = await client.query('SELECT change_id, seq FROM taskmaster_team_changes WHERE project_id = $1 AND change_id = ANY($2::uuid[])', [projectId, ids]);
      const seqOf = new Map<string, number>(known.rows.map((r: { change_id: string; seq: string }) => [r.change_id, Number(r.seq)]));
      const toAdd = changes.filter((c) => !seqOf.has(c.id));
      if (toAdd.length > 0 && knownHead !== undefined && Number(fresh.last_seq) !== knownHead) return undefined;
      if (toAdd.length > 0) {
        const top = await client.query('UPDATE taskmaster_team_projects SET last_seq = last_seq + $2 WHERE id = $1 RETURNING last_seq', [projectId, toAdd.length]);
        const last = Number(top.rows[0].last_seq);
        const first = last - toAdd.length + 1;
        toAdd.forEach((c, i) => seqOf.set(c.id, first + i));
        await client.query(
          `INSERT INTO taskmaster_team_changes (project_id, seq, change_id, payload)
           SELECT $1, s, c, p FROM unnest($2::bigint[], $3::uuid[], $4::bytea[]) AS t(s, c, p)`,
          [projectId, toAdd.map((c) => seqOf.get(c.id)), toAdd.map((c) => c.id), toAdd.map((c) => c.payload)],
        );
        // A wake-up for the other servers, sent at commit; small and free of task text.
        await client.query('SELECT pg_notify($1, $2)', [channelOf(projectId), String(last)]);
      }
      return changes.map((c) => ({ id: c.id, seq: seqOf.get(c.id)! }));
    });
  }

  /** Changes after `seq`, in order, at most `limit`. */
  async changesAfter(projectId: number, seq: number, limit: number): Promise<TeamChangeRow[]> {
    const res = await this.pool.query(
      'SELECT seq, change_id, payload FROM taskmaster_team_changes WHERE project_id = $1 AND seq > $2 ORDER BY seq LIMIT $3',
      [projectId, seq, limit],
    );
    return res.rows.map((r) => TeamChangeRowSchema.parse(r));
  }

  /** The newest snapshot at or before `atMost`. */
  async snapshotAtMost(projectId: number, atMost: number): Promise<TeamSnapshotRow | undefined> {
    const res = await this.pool.query('SELECT seq, payload FROM taskmaster_team_snapshots WHERE project_id = $1 AND seq <= $2 ORDER BY seq DESC LIMIT 1', [
      projectId,
      atMost,
    ]);
    return res.rows[0] === undefined ? undefined : TeamSnapshotRowSchema.parse(res.rows[0]);
  }

  /** Stores a snapshot; one already there at `seq` (another server's, the same content) stays. */
  async putSnapshot(projectId: number, seq: number, payload: Buffer): Promise<void> {
    await this.pool.query('INSERT INTO taskmaster_team_snapshots (project_id, seq, payload) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [projectId, seq, payload]);
  }

  /** The log's newest sequence number. */
  async head(projectId: number): Promise<number> {
    const res = await this.pool.query('SELECT last_seq FROM taskmaster_team_projects WHERE id = $1', [projectId]);
    return res.rows[0] === undefined ? 0 : Number(res.rows[0].last_seq);
  }

  /**
   * Listens for the project's wake-ups on a connection of its own. `onLost`
   * is called once if that connection fails; the caller reconnects.
   */
  async listen(projectId: number, onWake: (seq: number) => void, onLost: (err: Error) => void): Promise<() => Promise<void>> {
    const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 5000 });
    let lost = false;
    const fail = (err: Error) => {
      if (lost) return;
      lost = true;
      onLost(err);
    };
    client.on('error', fail);
    client.on('end', () => fail(new Error('the notification connection closed')));
    client.on('notification', (n) => onWake(Number(n.payload ?? 0)));
    await client.connect();
    await client.query(`LISTEN ${channelOf(projectId)}`);
    return async () => {
      lost = true;
      await client.end().catch(() => undefined);
    };
  }

  async close(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }

  private async transaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const value = await fn(client);
      await client.query('COMMIT');
      return value;
    } catch (err) {
      await client.query('ROLLBACK').catch((e: Error) => (broken = e));
      throw err;
    } finally {
      // A connection that could not even roll back is dropped, not handed to the next query.
      client.release(broken);
    }
  }
}
