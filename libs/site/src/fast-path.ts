import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { matchesIfNoneMatch } from './http-cache';
import type { PublicPagesCache } from './public-pages.cache';
import { REPORT_CACHE_CONTROL } from './site.service';
import { PAGE_CSP } from './templates';

/**
 * What a fast-path answer logs: `req` in the shape Fastify's `req` serializer reads (method, url,
 * host, ip, headers, socket.remotePort), so the logger writes the line Fastify's path writes.
 */
export interface FastPathLogLine {
  reqId: string;
  req: { method: string; url: string; host: string | undefined; ip: string | undefined; headers: IncomingMessage['headers']; socket: { remotePort: number | undefined } };
  res: { statusCode: number };
  responseTime: number;
}

export interface FastPathOptions {
  cache: PublicPagesCache;
  /** the security headers every answer carries, as Fastify's hook sets them (lower-case names) */
  headers: Readonly<Record<string, string>>;
  requestId(request: IncomingMessage): string;
  /** the request log, when it is on */
  log?: (line: FastPathLogLine) => void;
}

const REPORT_PATH = /^\/([a-z0-9]+(?:-[a-z0-9]+)*)\/reports\/(\d{4})$/;

/**
 * The public report page from the cache, answered by the HTTP server before Fastify and Nest see
 * the request: a published revision's page whose revision the database confirmed within
 * REVALIDATE_MS is the same bytes and headers however it is served, so the per-request work
 * (routing, hooks, the reply object, the logger's child) buys nothing for it (issue 14). Anything
 * else (another method or path, a query string, a page not cached or due for its check) returns
 * false and goes to Fastify, which renders, revalidates and caches as before. Headers: the ones
 * Fastify's path sends for that page (test/e2e/site.e2e-spec.ts compares both), the request id
 * included; the request line is logged with the same fields.
 */
export function reportPageFastPath(o: FastPathOptions): (request: IncomingMessage, response: ServerResponse) => boolean {
  return (request, response) => {
    if (request.method !== 'GET') return false;
    const match = REPORT_PATH.exec(request.url ?? '');
    if (!match) return false;
    const hit = o.cache.get(match[1], Number(match[2]));
    if (!hit?.fresh) return false;
    const started = performance.now();
    // read before the answer: a socket the client closes at once has no address afterwards
    const { remoteAddress, remotePort } = request.socket;
    const page = hit.page;
    const reqId = o.requestId(request);
    const notModified = matchesIfNoneMatch(request.headers['if-none-match'], page.etag);
    const status = notModified ? 304 : 200;
    response.writeHead(status, {
      ...o.headers,
      'x-request-id': reqId,
      'content-security-policy': PAGE_CSP,
      'cache-control': REPORT_CACHE_CONTROL,
      etag: page.etag,
      ...(notModified ? {} : { 'content-type': 'text/html; charset=utf-8', 'content-length': page.body.length }),
    });
    response.end(notModified ? undefined : page.body);
    o.log?.({
      reqId,
      req: { method: 'GET', url: request.url!, host: request.headers.host, ip: remoteAddress, headers: request.headers, socket: { remotePort } },
      res: { statusCode: status },
      responseTime: performance.now() - started,
    });
    return true;
  };
}
