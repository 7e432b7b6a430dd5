import { ErrorCode, TaskmasterError } from '@taskmaster/protocol';
import { fetchChanges, type HttpEndpoint, type RequestLimits } from './http.js';
import type { PullResult } from './sync.js';

export interface PollerOptions {
  intervalMs: number;
  limits: RequestLimits;
  endpoint(): Promise<HttpEndpoint | undefined>;
  /** Where the last poll left off; undefined before the first baseline. */
  since(): { revision: number; epoch: string | undefined } | undefined;
  onChanges(result: PullResult): void;
  /**
   * A poll failed; polling has stopped. `token` is the one the failed poll
   * presented, so a refusal (401) can be told from one of a stale token.
   */
  onFailure(error: unknown, token: string | undefined): void;
}

/**
 * The HTTP fallback's change feed: `GET /api/sync/changes` every interval,
 * with the last ETag so an idle server answers 304 with no body.
 */
export class Poller {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private etag: string | undefined;
  private generation = 0;
  private active = false;
  /** The token the latest poll presented. */
  private token: string | undefined;

  constructor(private readonly options: PollerOptions) {}

  get running(): boolean {
    return this.active;
  }

  /** Polls once; resolves true when the server answered (then call start() to keep polling). */
  async probe(): Promise<boolean> {
    const generation = this.generation;
    try {
      await this.pollOnce(generation);
      return generation === this.generation;
    } catch (err) {
      if (generation === this.generation) this.options.onFailure(err, this.token);
      return false;
    }
  }

  start(): void {
    if (this.active) return;
    this.active = true;
    this.schedule(this.generation);
  }

  /** Stops polling; a poll already under way is ignored when it answers. */
  stop(): void {
    this.active = false;
    this.generation++;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(generation: number): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pollOnce(generation).then(
        () => {
          if (generation === this.generation) this.schedule(generation);
        },
        (err: unknown) => {
          if (generation !== this.generation) return;
          this.stop();
          this.options.onFailure(err, this.token);
        },
      );
    }, this.options.intervalMs);
  }

  private async pollOnce(generation: number): Promise<void> {
    const endpoint = await this.options.endpoint();
    if (!endpoint) throw new TaskmasterError(ErrorCode.ConnectionFailed, 'no HTTP address known: pass httpUrl or root');
    this.token = endpoint.token;
    const since = this.options.since();
    // An ETag is only meaningful for the same `since`; a new baseline starts afresh.
    const response = await fetchChanges(endpoint, since, since ? this.etag : undefined, this.options.limits);
    if (generation !== this.generation) return;
    if (!response.changed) return;
    this.etag = response.etag;
    this.options.onChanges(response.body);
  }
}
