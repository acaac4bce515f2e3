import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { lastValueFrom, of, type Observable } from 'rxjs';
import type { DataSource, QueryRunner } from 'typeorm';
import type { RequestWithActor } from '../auth/decorators';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { PG, pgError } from '../database/pg-errors';
import { AfterCommitQueue, withAmbientTransaction } from '../database/transactions';
import { Conflict, RuleViolation, ValidationFailed } from '../errors/domain-errors';
import { canonicalJson, sha256Hex } from '../json/canonical-json';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

interface StoredResponse {
  fingerprint: string;
  status: number | null;
  response: string | null;
}

/**
 * The contract's Idempotency-Key. A signed-in write that carries the header runs in one
 * transaction that first claims the key (an INSERT into idempotency_keys), then runs the handler
 * (services join that transaction), then stores the response beside the key, and commits.
 * A retry with the key:
 * - after the first committed: its response is replayed (same status, same body), nothing is written;
 * - while the first still runs: its INSERT waits on the first's row lock, then replays; after
 *   a bounded wait it gets 409, never a second write;
 * - after the first failed: the first wrote nothing (key included), so the retry runs afresh.
 * The same key with another method, path or body is 422. Keys are per user and live 24 h.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly waitMs: number;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    // wait for a running twin a little less than the query deadline, so the wait ends as a 409, not a 503
    this.waitMs = Math.max(500, Math.min(3000, (config.databaseQueryTimeoutMs ?? 3500) - 500));
  }

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest & RequestWithActor>();
    const header = request.headers[IDEMPOTENCY_HEADER];
    if (header === undefined || !WRITE_METHODS.has(request.method) || !request.actor) return next.handle();
    const key = Array.isArray(header) ? header.join(',') : header;
    if (!KEY_PATTERN.test(key)) throw ValidationFailed.field('Idempotency-Key', 'must be 1 to 255 visible ASCII characters');

    const actor = request.actor;
    const reply = http.getResponse<FastifyReply>();
    const fingerprint = sha256Hex(`${request.method} ${request.url}\n${canonicalJson(request.body ?? null)}`);
    const id = [actor.municipalityId, actor.userId, key];

    const runner = this.ds.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      const stored = await this.claim(runner, id, fingerprint);
      if (stored) {
        await runner.rollbackTransaction();
        if (stored.fingerprint !== fingerprint) {
          throw RuleViolation.of('idempotency.key-reused', 'Idempotency-Key', 'This key was used for another request (method, path or body); use a new key');
        }
        void reply.status(stored.status ?? 200).header('idempotent-replayed', 'true');
        return of(stored.response === null ? undefined : JSON.parse(stored.response));
      }
      const afterCommit = new AfterCommitQueue();
      const result = await withAmbientTransaction(runner.manager, () => lastValueFrom(next.handle(), { defaultValue: undefined }), afterCommit);
      await runner.query(`UPDATE idempotency_keys SET status = $4, response = $5 WHERE municipality_id = $1 AND user_id = $2 AND key = $3`, [
        ...id,
        reply.statusCode,
        result === undefined ? null : JSON.stringify(result),
      ]);
      await runner.commitTransaction();
      afterCommit.run();
      return of(result);
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
  }

  /** Claims the key for this transaction; returns the stored first request when the key is taken. */
  private async claim(runner: QueryRunner, id: string[], fingerprint: string): Promise<StoredResponse | null> {
    // a key older than 24 h is forgotten
    await runner.query(`DELETE FROM idempotency_keys WHERE municipality_id = $1 AND user_id = $2 AND key = $3 AND created_at < now() - interval '24 hours'`, id);
    await runner.query(`SET LOCAL lock_timeout = ${this.waitMs}`);
    let claimed: unknown[];
    try {
      claimed = await runner.query(
        `INSERT INTO idempotency_keys (municipality_id, user_id, key, fingerprint) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING key`,
        [...id, fingerprint],
      );
    } catch (error) {
      if (pgError(error)?.code === PG.lockNotAvailable) {
        throw new Conflict('A request with this Idempotency-Key is still running; retry it shortly');
      }
      throw error;
    }
    await runner.query(`SET LOCAL lock_timeout = DEFAULT`);
    if (claimed.length) return null;
    const rows: StoredResponse[] = await runner.query(`SELECT fingerprint, status, response FROM idempotency_keys WHERE municipality_id = $1 AND user_id = $2 AND key = $3`, id);
    return rows[0];
  }
}
