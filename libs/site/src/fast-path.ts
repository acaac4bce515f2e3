import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { matchesIfNoneMatch } from './http-cache';
import type { CachedReportPage, PublicPagesCache } from './public-pages.cache';
import { REPORT_CACHE_CONTROL } from './site.service';
import { PAGE_CSP } from './templates';

/** What a fast-path answer logs: the fields of Fastify's request line (apps/api/src/logging.ts writes it). */
export interface FastPathLogLine {
  reqId: string;
  method: string;
  url: string;
  version: string | undefined;
  host: string | undefined;
  remoteAddress: string | undefined;
  remotePort: number | undefined;
  statusCode: number;
  responseTime: number;
}

export interface FastPathOptions {
  cache: PublicPagesCache;
  /** the security headers every answer carries, as Fastify's hook sets them (lower-case names) */
  headers: Readonly<Record<string, string>>;
  /** the request's id from its X-Request-Id header as Node would give it (undefined when absent; repeats joined by ", ") */
  requestId(given: string | undefined): string;
  /** the request log, when it is on: called at once with one object reused for every request, so it must not keep it */
  log?: (line: FastPathLogLine) => void;
}

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
  const { cache, requestId, log } = o;
  const heads = new WeakMap<CachedReportPage, PageHeads>();
  const headsOf = (page: CachedReportPage): PageHeads => {
    let built = heads.get(page);
    if (!built) {
      // the page's own values replace the common ones of the same name (the Content-Security-Policy)
      const base = { ...o.headers, 'content-security-policy': PAGE_CSP, 'cache-control': REPORT_CACHE_CONTROL, etag: page.etag };
      const withBody = { ...base, 'content-type': 'text/html; charset=utf-8', 'content-length': String(page.body.length) };
      const flat = (headers: Record<string, string>) => [...Object.entries(headers).flat(), 'x-request-id', ''];
      built = { ok: flat(withBody), notModified: flat(base) };
      heads.set(page, built);
    }
    return built;
  };
  const read: ReadHeaders = { host: undefined, ifNoneMatch: undefined, requestId: undefined, acceptVersion: undefined };
  // the request line's fields, one object filled per request (the line is written before the next)
  const line: FastPathLogLine = { reqId: '', method: 'GET', url: '', version: undefined, host: undefined, remoteAddress: undefined, remotePort: undefined, statusCode: 200, responseTime: 0 };
  return (request, response) => {
    // the URL as it came is the cache's key: a query string or any other spelling of the page misses
    const page = request.method === 'GET' ? cache.freshAt(request.url!) : undefined;
    if (!page) return false;
    const started = performance.now();
    // read before the answer: a socket the client closes at once has no address afterwards
    const { remoteAddress, remotePort } = request.socket;
    readHeaders(request.rawHeaders, read);
    const reqId = requestId(read.requestId);
    const notModified = matchesIfNoneMatch(read.ifNoneMatch, page.etag);
    const status = notModified ? 304 : 200;
    // the page's own head as a flat [name, value, …] list, its last value this request's id: Node
    // reads it at once into the head it sends, where an object built per request by spreads cost V8
    // ~10 µs (issue 14)
    const pageHeads = headsOf(page);
    const head = notModified ? pageHeads.notModified : pageHeads.ok;
    head[head.length - 1] = reqId;
    response.writeHead(status, head);
    response.end(notModified ? undefined : page.body);
    if (log) {
      line.reqId = reqId;
      line.url = request.url!;
      line.version = read.acceptVersion;
      line.host = read.host ?? ''; // as Fastify's request.host: HTTP/1.0 may come without one
      line.remoteAddress = remoteAddress;
      line.remotePort = remotePort;
      line.statusCode = status;
      line.responseTime = performance.now() - started;
      log(line);
    }
    return true;
  };
}

/** The request headers the fast path reads, as Node's `request.headers` would give them. */
export interface ReadHeaders {
  host: string | undefined;
  ifNoneMatch: string | undefined;
  requestId: string | undefined;
  acceptVersion: string | undefined;
}

/** `value` added to a header's earlier value as Node adds a repeated header: joined by ", ". */
const joined = (earlier: string | undefined, value: string) => (earlier === undefined ? value : `${earlier}, ${value}`);

/**
 * Fills `into` with the four headers the fast path reads, from the request's `rawHeaders` as they
 * came ([name, value, …]): Node's `request.headers` builds an object of every header on its first
 * use, work the fast path does not need. Repeated headers as Node treats them (a unit test
 * compares the two): the first Host counts, the others are joined by ", ".
 */
export function readHeaders(raw: readonly string[], into: ReadHeaders): void {
  into.host = into.ifNoneMatch = into.requestId = into.acceptVersion = undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    // the length first: most headers are none of the four, and lower-casing them would cost more
    switch (name.length) {
      case 4:
        if (into.host === undefined && name.toLowerCase() === 'host') into.host = raw[i + 1];
        break;
      case 12:
        if (name.toLowerCase() === 'x-request-id') into.requestId = joined(into.requestId, raw[i + 1]);
        break;
      case 13:
        if (name.toLowerCase() === 'if-none-match') into.ifNoneMatch = joined(into.ifNoneMatch, raw[i + 1]);
        break;
      case 14:
        if (name.toLowerCase() === 'accept-version') into.acceptVersion = joined(into.acceptVersion, raw[i + 1]);
        break;
    }
  }
}

/** A cached page's response headers as flat lists, built once per page: the 200's and the 304's, each ending in the request id's slot. */
interface PageHeads {
  ok: string[];
  notModified: string[];
}

/** Puts `answer` in front of the server's request handlers (Fastify's): a request it answers (true) goes no further. */
export function answerFirst(server: Server, answer: (request: IncomingMessage, response: ServerResponse) => boolean): void {
  const handlers = server.listeners('request') as Array<(request: IncomingMessage, response: ServerResponse) => void>;
  server.removeAllListeners('request');
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    if (answer(request, response)) return;
    for (const handler of handlers) handler.call(server, request, response);
  });
}
