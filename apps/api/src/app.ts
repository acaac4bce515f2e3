import { AppValidationPipe, depthLimitedJsonParser, ProblemFilter, routerProblem, sendProblem } from '@app/core';
import { registerLoginRateLimits } from '@app/identity';
import { MULTIPART_OPTIONS } from '@app/imports';
import { answerFirst, PAGE_CSP, PublicPagesCache, registerSitePages, reportPageFastPath, SiteService } from '@app/site';
import { registerWebApp } from '@app/webapp';
import multipart from '@fastify/multipart';
import { RequestMethod } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { resolveSecurityHeaders } from '@nestjs/core/security/security-headers.js';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AppModule, type ApiOptions } from './app.module';
import { nestLogger, requestLineWriter, requestLogOptions } from './logging';
import { addSharedErrorResponses } from './openapi-errors';

export const API_PREFIX = 'api/v1';
const BODY_LIMIT = 1024 * 1024; // 1 MiB; larger bodies get 413
const MAX_PARAM_LENGTH = 1024; // longer path parameters get 414

/** TRUST_PROXY=N: the addresses of the N nearest hops are proxies (proxy-addr's hop count). */
export const trustHops = (hops: number) => (_address: string, hop: number) => hop < hops;

/** A request's id from its X-Request-Id header: the caller's when it is a sane token, else a new UUID. */
function requestIdFrom(given: string | string[] | undefined): string {
  return typeof given === 'string' && /^[\w.-]{1,100}$/.test(given) ? given : randomUUID();
}

/** The request's id (Fastify's genReqId). */
const requestIdOf = (req: { headers: Record<string, string | string[] | undefined> }) => requestIdFrom(req.headers['x-request-id']);

/** Paths whose answers do not depend on who asks, so they may be cached. */
function isCacheablePublic(url: string): boolean {
  return url.startsWith('/api/v1/public/') || url.startsWith('/api/v1/spheres') || !url.startsWith('/api/');
}

/**
 * Builds the HTTP application exactly as it runs in production (used by main.ts and by the
 * end-to-end tests): Fastify, security headers, the global validation pipe, the problem filter,
 * the `/api/v1` prefix and the OpenAPI document.
 */
export async function createApiApp(options: ApiOptions): Promise<NestFastifyApplication> {
  const { config } = options;
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // The router refuses a malformed URL (400) or an over-long parameter (414) before any hook or
    // error handler runs, so this is the one place to answer them as problem details, with the
    // headers every answer carries (Nest's own frameworkErrors answered in Fastify's JSON shape).
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      void reply.headers(private_).header('x-request-id', request.id);
      sendProblem(reply, routerProblem(error, MAX_PARAM_LENGTH));
    },
    // Fastify 5.12 ignores a bare hop count (it fails closed), so a count N trusts the N nearest
    // hops as proxy-addr's hop count did: the peer and the N-1 addresses X-Forwarded-For adds before it
    trustProxy: typeof config.trustProxy === 'number' ? trustHops(config.trustProxy) : config.trustProxy,
    // one line per request at info, written asynchronously (logging.ts)
    ...requestLogOptions(config.logLevel),
    genReqId: requestIdOf,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(options), adapter, {
    logger: nestLogger(config.logLevel),
  });

  app.enableCsrfProtection();

  const fastify = app.getHttpAdapter().getInstance();
  // Nest's helmet-style headers (resolved by Nest from these options, as app.useSecurityHeaders()
  // does), written with one reply.headers() call per request rather than a setHeader() each: Node
  // then writes the head on its fast path, which a cached public page notices (npm run bench).
  const { headers: securityHeaders } = resolveSecurityHeaders({
    // served over plain HTTP on a developer's machine too; HTTPS deployments add HSTS at the proxy
    contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } },
    strictTransportSecurity: false,
  });
  const common = Object.fromEntries(securityHeaders.map(([name, value]) => [name.toLowerCase(), value]));
  const private_ = { ...common, 'cache-control': 'no-store' };
  // Set before the handler, so a route may still choose its own (the public pages do). Signed-in
  // and private answers are never stored by a cache; every answer names its request.
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.headers(request.headers.authorization || !isCacheablePublic(request.url) ? private_ : common).header('x-request-id', request.id);
    done();
  });
  await registerLoginRateLimits(fastify, config, app.get(DataSource));
  // multipart/form-data, which only POST /imports/{kind} reads: one file part of at most 40 MiB (IMPORT_FILE_LIMIT) and no
  // other fields (the adapter registers the plugin once, on the root context); JSON keeps BODY_LIMIT
  await app.register(multipart, MULTIPART_OPTIONS);
  registerSitePages(fastify, app.get(SiteService));
  await registerWebApp(fastify, app);

  // A cached public report page is answered by the HTTP server before Fastify (libs/site/src/fast-path.ts):
  // the same bytes and headers, the same request line, none of the per-request work. Not behind a
  // trusted proxy, where the client's address in the log line is Fastify's to work out.
  if (!config.trustProxy) {
    answerFirst(
      fastify.server,
      reportPageFastPath({ cache: app.get(PublicPagesCache), headers: common, requestId: requestIdFrom, log: requestLineWriter(fastify.log) }),
    );
  }

  // Fastify's JSON parser behind a depth limit, so no deeply nested body reaches what recurses over it
  app.useBodyParser('application/json', { bodyLimit: BODY_LIMIT }, depthLimitedJsonParser(fastify.getDefaultJsonParser('error', 'error')));

  app.setGlobalPrefix(API_PREFIX, {
    exclude: [
      { path: 'health/live', method: RequestMethod.GET },
      { path: 'health/ready', method: RequestMethod.GET },
    ],
  });
  app.useGlobalPipes(new AppValidationPipe());
  // an unknown address outside the API answers the public pages' Polish 404 page
  const site = app.get(SiteService);
  app.useGlobalFilters(
    new ProblemFilter((path) => {
      if (path.startsWith('/api/') || path === '/api' || path.startsWith('/health/')) return null;
      const page = site.unknownAddress();
      return { status: page.status, headers: { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': PAGE_CSP, 'cache-control': page.cacheControl }, body: page.body };
    }),
  );

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('NGO cooperation tracker')
      .setDescription('A municipality\'s cooperation with NGOs: registers, programmes, funded tasks, commissions and annual reports. Errors are RFC 9457 problem details.')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  addSharedErrorResponses(document, API_PREFIX);
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
  return app;
}
