import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { dataSourceOptions } from './data-source-options';
import { isConnectionError } from './pg-errors';

/** How often each replica's replay position is read, and the primary's position sampled (ms). */
const CHECK_MS = 250;
/** The primary's positions kept to date a replica's position by (covers lags up to CHECK_MS × this). */
const SAMPLES = 2400;

/** "16/B374D848" → a number that orders WAL positions. */
export function lsnValue(lsn: string): bigint {
  const [high, low] = lsn.split('/');
  return (BigInt(`0x${high}`) << 32n) | BigInt(`0x${low}`);
}

/**
 * How far behind a replica is, in ms: the age of the newest sample of the primary's WAL position
 * that the replica has replayed. A replica that has replayed everything is "behind" by at most
 * one sampling period, however quiet the primary is (a replay timestamp would grow instead).
 */
export function lagOf(replayed: bigint, samples: ReadonlyArray<{ at: number; lsn: bigint }>, now: number): number {
  for (let i = samples.length - 1; i >= 0; i--) if (samples[i].lsn <= replayed) return now - samples[i].at;
  return samples.length ? now - samples[0].at + CHECK_MS : Number.POSITIVE_INFINITY;
}

interface Replica {
  /** the URL without its password, for logs and status */
  name: string;
  ds: DataSource;
  healthy: boolean;
  lagMs: number;
  reason: string;
}

/** When each user last wrote (ms), in this process: their reads go to the primary until replicas surely hold it. */
const lastWrites = new Map<string, number>();

/** Called after a user's write commits (the audit trail's entries mark every write). */
export function noteUserWrite(userId: string | null | undefined, now = Date.now()): void {
  if (!userId) return;
  lastWrites.delete(userId);
  lastWrites.set(userId, now);
  // a Map keeps insertion order: drop the oldest beyond a bound
  if (lastWrites.size > 100_000) lastWrites.delete(lastWrites.keys().next().value!);
}

/**
 * Streaming read replicas (DATABASE_REPLICA_URLS). Reads that may be a moment old (public pages,
 * open data, public downloads, list pages) ask `read()` for a manager: a replica that answers and
 * has replayed the primary's WAL to within REPLICA_MAX_LAG_MS, taken in turn, else the primary.
 * Writes, locks, sessions and everything else use the primary's DataSource as before. A user who
 * wrote within the lag bound reads from the primary (in this process; a user's web session also
 * carries it to other instances), so they see their own write. A query that fails for want of a
 * connection marks its replica down and is run again on the primary.
 */
@Injectable()
export class ReadReplicas implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('ReadReplicas');
  private readonly replicas: Replica[] = [];
  private readonly samples: Array<{ at: number; lsn: bigint }> = [];
  private timer: NodeJS.Timeout | undefined;
  private next = 0;
  private checking = false;

  constructor(
    @InjectDataSource() private readonly primary: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    for (const url of this.config.databaseReplicaUrls) {
      const ds = new DataSource({
        ...dataSourceOptions({ url, poolSize: this.config.databasePoolSize, queryTimeoutMs: this.config.databaseQueryTimeoutMs || undefined, applicationName: 'ngo-tracker-replica-reader' }),
        entities: this.primary.entityMetadatas.map((m) => m.target as Function),
      });
      this.replicas.push({ name: url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@'), ds, healthy: false, lagMs: Number.POSITIVE_INFINITY, reason: 'not checked yet' });
    }
    if (!this.replicas.length) return;
    await this.check();
    this.timer = setInterval(() => void this.check(), CHECK_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all(this.replicas.filter((r) => r.ds.isInitialized).map((r) => r.ds.destroy().catch(() => undefined)));
  }

  /** Samples the primary's WAL position, then reads each replica's replay position and state. */
  async check(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      const [{ lsn }]: Array<{ lsn: string }> = await this.primary.query('SELECT pg_current_wal_lsn()::text AS lsn');
      this.samples.push({ at: Date.now(), lsn: lsnValue(lsn) });
      if (this.samples.length > SAMPLES) this.samples.splice(0, this.samples.length - SAMPLES);
    } catch {
      // without the primary's position no lag can be told; the replicas keep their last state
      this.checking = false;
      return;
    }
    await Promise.all(this.replicas.map((r) => this.checkOne(r)));
    this.checking = false;
  }

  private async checkOne(r: Replica): Promise<void> {
    const was = r.healthy;
    try {
      if (!r.ds.isInitialized) await r.ds.initialize();
      const [row]: Array<{ recovery: boolean; replayed: string | null }> = await r.ds.query('SELECT pg_is_in_recovery() AS recovery, pg_last_wal_replay_lsn()::text AS replayed');
      if (!row.recovery || !row.replayed) {
        r.healthy = false;
        r.reason = 'not a streaming replica (not in recovery)';
      } else {
        r.lagMs = lagOf(lsnValue(row.replayed), this.samples, Date.now());
        r.healthy = r.lagMs <= this.config.replicaMaxLagMs;
        r.reason = r.healthy ? 'ok' : `behind the primary by ${Math.round(r.lagMs)} ms (bound ${this.config.replicaMaxLagMs} ms)`;
      }
    } catch (error) {
      r.healthy = false;
      r.reason = `does not answer: ${error instanceof Error ? error.message : String(error)}`;
    }
    if (was !== r.healthy) this.logger[r.healthy ? 'log' : 'warn'](`replica ${r.name}: ${r.healthy ? 'in use' : `skipped, ${r.reason}`}`);
  }

  /** The manager a read goes to (see the class): a healthy replica in turn, or the primary's. */
  manager(userId?: string | null): EntityManager {
    return this.dataSource(userId).manager;
  }

  /** The same choice as a DataSource, for a reader that opens connections of its own (the exports' cursor). */
  dataSource(userId?: string | null): DataSource {
    return this.pick(userId)?.ds ?? this.primary;
  }

  private pick(userId?: string | null): Replica | null {
    if (!this.replicas.length) return null;
    const wrote = userId ? lastWrites.get(userId) : undefined;
    if (wrote !== undefined && Date.now() - wrote <= this.config.replicaMaxLagMs + CHECK_MS) return null;
    for (let i = 0; i < this.replicas.length; i++) {
      const r = this.replicas[(this.next + i) % this.replicas.length];
      if (r.healthy) {
        this.next = (this.next + i + 1) % this.replicas.length;
        return r;
      }
    }
    return null;
  }

  /**
   * Runs a read on a replica when one is fit (else on the primary); a connection failure there
   * marks the replica down and runs the read again on the primary. `recentWrite`: the caller
   * knows the user wrote within the bound (e.g. their web session says so), so the primary.
   */
  async read<T>(fn: (em: EntityManager) => Promise<T>, options: { userId?: string | null; recentWrite?: boolean } = {}): Promise<T> {
    const replica = options.recentWrite ? null : this.pick(options.userId);
    if (!replica) return fn(this.primary.manager);
    try {
      return await fn(replica.ds.manager);
    } catch (error) {
      if (!isConnectionError(error)) throw error;
      replica.healthy = false;
      replica.reason = `failed a read: ${error instanceof Error ? error.message : String(error)}`;
      this.logger.warn(`replica ${replica.name}: skipped, ${replica.reason}`);
      return fn(this.primary.manager);
    }
  }

  /** Each replica's state, for operators (GET /health/ready shows it). */
  status(): Array<{ replica: string; inUse: boolean; lagMs: number | null; reason: string }> {
    return this.replicas.map((r) => ({ replica: r.name, inUse: r.healthy, lagMs: Number.isFinite(r.lagMs) ? Math.round(r.lagMs) : null, reason: r.reason }));
  }
}
