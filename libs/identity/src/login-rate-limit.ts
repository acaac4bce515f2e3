import { TooManyRequests, type AppConfig } from '@app/core';
import type { RateLimitPluginOptions } from '@fastify/rate-limit';

/**
 * Options of @fastify/rate-limit for the sign-in route (the only route marked with
 * `@RouteConfig({ rateLimit: {} })`): LOGIN_RATE_LIMIT attempts a minute per client address
 * and account, counted after the body is parsed. Counters live in the process's memory.
 */
export function loginRateLimit(config: AppConfig): RateLimitPluginOptions {
  return {
    global: false,
    max: config.loginRateLimitPerMinute,
    timeWindow: 60_000,
    hook: 'preHandler',
    keyGenerator: (req) => {
      const email = (req.body as { email?: unknown } | undefined)?.email;
      return `${req.ip}|${typeof email === 'string' ? email.trim().toLowerCase() : ''}`;
    },
    errorResponseBuilder: (_req, context) => new TooManyRequests(`Too many sign-in attempts; try again in ${context.after}`),
  };
}
