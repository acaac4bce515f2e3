import { TooManyRequests, type AppConfig } from '@app/core';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { DataSource } from 'typeorm';
import { postgresRateLimitStore } from './rate-limit-store';

const MINUTE = 60_000;

/** The sign-in route carries this in its Fastify route config: `@RouteConfig(LOGIN_ROUTE_CONFIG)`. */
export const LOGIN_ROUTE_CONFIG = { rateLimit: {}, loginAttempts: true } as const;

/** Only well-formed emails get a counter of their own; anything else shares one per address. */
function accountKey(req: FastifyRequest): string {
  const email = (req.body as { email?: unknown } | undefined)?.email;
  const normalised = typeof email === 'string' ? email.trim().toLowerCase() : '';
  return `${req.ip}|${normalised.length <= 254 && /^[^\s@]+@[^\s@]+$/.test(normalised) ? normalised : ''}`;
}

/**
 * Sign-in throttling with @fastify/rate-limit, two counters a minute:
 * - per client address: 10 × LOGIN_RATE_LIMIT attempts, counted before the body is read
 *   (stops password spraying across many accounts and floods of junk);
 * - per client address and account: LOGIN_RATE_LIMIT attempts.
 * Counters live in PostgreSQL (rate-limit-store.ts), so every instance over the database counts
 * the same attempts; behind a proxy set TRUST_PROXY so `req.ip` is the client.
 */
export async function registerLoginRateLimits(fastify: FastifyInstance, config: AppConfig, db: DataSource): Promise<void> {
  const limit = config.loginRateLimitPerMinute;
  const tooMany = (after: string) => new TooManyRequests(`Too many sign-in attempts; try again in ${after}`);
  await fastify.register(rateLimit, {
    global: false,
    max: limit * 10,
    timeWindow: MINUTE,
    store: postgresRateLimitStore(db),
    keyGenerator: (req) => req.ip,
    errorResponseBuilder: (_req, context) => tooMany(context.after),
  });
  const perAccount = fastify.createRateLimit({ max: limit, timeWindow: MINUTE, keyGenerator: accountKey });
  const perAccountCheck = async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const result = await perAccount(req);
    if (!result.isAllowed && result.isExceeded) {
      void reply.header('retry-after', String(Math.max(1, Math.ceil(result.ttlInSeconds))));
      throw tooMany(`${Math.max(1, Math.ceil(result.ttlInSeconds))} seconds`);
    }
  };
  // on the sign-in route alone (its body is read by then), so no other route pays for the check
  fastify.addHook('onRoute', (route) => {
    if (!(route.config as { loginAttempts?: boolean } | undefined)?.loginAttempts) return;
    const existing = route.preHandler ? (Array.isArray(route.preHandler) ? route.preHandler : [route.preHandler]) : [];
    route.preHandler = [...existing, perAccountCheck];
  });
}
