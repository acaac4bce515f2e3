import { PROBLEM_CONTENT_TYPE, toProblem } from '@app/core';
import { Logger } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

const logger = new Logger('PublicPages');
import { matchesIfNoneMatch } from './http-cache';
import type { SitePage, SiteService } from './site.service';
import { PAGE_CSP } from './templates';

/** Writes a page with its validators in one header call; a matching If-None-Match gets 304 without the body. */
function send(request: FastifyRequest, reply: FastifyReply, page: SitePage): FastifyReply {
  void reply.headers({ 'content-security-policy': PAGE_CSP, 'cache-control': page.cacheControl, etag: page.etag });
  if (page.status === 200 && matchesIfNoneMatch(request.headers['if-none-match'], page.etag)) return reply.status(304).send();
  return reply.status(page.status).type('text/html; charset=utf-8').send(page.body);
}

type Params = { slug: string; year: string; id: string };
type Query = { q?: unknown; all?: unknown };

/**
 * The public HTML pages (/, /{slug}, /{slug}/commissions, /{slug}/reports/{year}, /{slug}/calls,
 * /{slug}/calls/{id}) as plain Fastify
 * routes beside Nest's: no sign-in, no body, no validation pipe or interceptor to run, so a cached
 * report page costs little more than writing its bytes (npm run bench). The security headers,
 * request ids and logging of every route apply to them too. An error is answered as problem
 * details, like the API's (503 while the database is away).
 */
export function registerSitePages(fastify: FastifyInstance, site: SiteService): void {
  const route = (url: string, render: (request: FastifyRequest<{ Params: Params; Querystring: Query }>) => Promise<SitePage>) =>
    fastify.get<{ Params: Params; Querystring: Query }>(url, async (request, reply) => {
      try {
        return send(request, reply, await render(request));
      } catch (error) {
        const problem = toProblem(error, request.url.split('?')[0]);
        if (problem.status >= 500) logger.error(`${request.method} ${request.url} -> ${problem.status}: ${error instanceof Error ? error.stack : String(error)}`);
        if (problem.status === 503) void reply.header('retry-after', '5');
        return reply.status(problem.status).header('content-type', PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
      }
    });
  route('/', () => site.home());
  route('/:slug', (request) => site.municipality(request.params.slug));
  route('/:slug/commissions', (request) => site.commissions(request.params.slug, { q: request.query.q, all: request.query.all }));
  route('/:slug/reports/:year', (request) => site.report(request.params.slug, request.params.year));
  route('/:slug/calls', (request) => site.callList(request.params.slug));
  route('/:slug/calls/:id', (request) => site.call(request.params.slug, request.params.id));
}
