import { loadConfig, type AppConfig } from '@app/core';
import { prepareDatabase } from '@app/database';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { createApiApp } from '../../apps/api/src/app';
import { withAdminClient } from '../setup/test-database';
import { TEST_PASSWORD_HASH_ENV } from './test-password';

export const PLATFORM_ADMIN = { email: 'platform-admin@test.example', password: 'platform-admin-pass' };
/** The tests sign with a key of their own, as a deployment on DATABASE_URL must (JWT_SECRET). */
export const TEST_JWT_SECRET = 'test-only-jwt-secret-0123456789abcdefghij';

/** A response as the tests see it: status, headers, and the body parsed when it is JSON. */
export interface Answer<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  /** Sent as is, e.g. malformed JSON. */
  rawBody?: string;
  headers?: Record<string, string>;
}

export interface TestApp {
  /** http://127.0.0.1:<port> of the running server */
  url: string;
  app: NestFastifyApplication;
  /** The application's own data source: for arranging data and for looking behind the API. */
  db: DataSource;
  databaseUrl: string;
  config: AppConfig;
  call<T = any>(method: string, path: string, options?: CallOptions): Promise<Answer<T>>;
  login(email: string, password: string): Promise<string>;
  close(): Promise<void>;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests with npm test (the global set-up sets it)`);
  return value;
}

/**
 * A fresh database cloned from the migrated template, or with `firstStarted` from a copy of it
 * on which the test configuration's first start has run (Kraków and the platform admin).
 */
export async function createTestDatabase(options: { firstStarted?: boolean } = {}): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const adminUrl = required('TEST_ADMIN_URL');
  const template = options.firstStarted ? await firstStartedTemplate() : required('TEST_TEMPLATE_DB');
  const name = `${required('TEST_TEMPLATE_DB').replace(/_tmpl$/, '')}_f${randomBytes(5).toString('hex')}`;
  await withAdminClient(adminUrl, (c) => c.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`));
  return {
    name,
    url: required('TEST_DB_URL_BASE').replace('__db__', name),
    drop: () => withAdminClient(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}

let firstStarted: Promise<string> | undefined;

/**
 * The first start hashes the admin's password with argon2id (a second on a loaded machine), so
 * it runs once per test run, into a second template, made by the first process that needs it
 * (under an advisory lock on the server) and named like the run's other databases, which the
 * global teardown drops.
 */
function firstStartedTemplate(): Promise<string> {
  firstStarted ??= withAdminClient(required('TEST_ADMIN_URL'), async (c) => {
    const template = required('TEST_TEMPLATE_DB');
    const ready = template.replace(/_tmpl$/, '_ready');
    await c.query('SELECT pg_advisory_lock(hashtext($1))', [ready]);
    try {
      if ((await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [ready])).rowCount) return ready;
      // built under another name and renamed when whole, so that no process clones it half-made
      const building = `${ready}_building`;
      await c.query(`DROP DATABASE IF EXISTS "${building}" WITH (FORCE)`);
      await c.query(`CREATE DATABASE "${building}" TEMPLATE "${template}"`);
      await prepareDatabase(required('TEST_DB_URL_BASE').replace('__db__', building), testConfig(), false);
      await c.query(`ALTER DATABASE "${building}" RENAME TO "${ready}"`);
      return ready;
    } finally {
      await c.query('SELECT pg_advisory_unlock(hashtext($1))', [ready]);
    }
  });
  return firstStarted;
}

/** Configuration the first start reads: a test app with any of them set gets a database of its own first start. */
const FIRST_START_SETTINGS: ReadonlyArray<keyof AppConfig> = ['adminEmail', 'adminPassword', 'municipality'];

/** An empty database (no migrations), for tests of the start-up itself. */
export async function createEmptyDatabase(): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const adminUrl = required('TEST_ADMIN_URL');
  const name = `${required('TEST_TEMPLATE_DB').replace(/_tmpl$/, '')}_e${randomBytes(5).toString('hex')}`;
  await withAdminClient(adminUrl, (c) => c.query(`CREATE DATABASE "${name}"`));
  return {
    name,
    url: required('TEST_DB_URL_BASE').replace('__db__', name),
    drop: () => withAdminClient(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}

/** The test configuration: quiet, the platform admin, and no crons (a run at 02:00 would touch every test database; the jobs spec turns them on). */
export function testConfig(overrides: Partial<AppConfig> = {}, env: NodeJS.ProcessEnv = {}): AppConfig {
  return {
    ...loadConfig({ LOG_LEVEL: 'silent', ADMIN_EMAIL: PLATFORM_ADMIN.email, ADMIN_PASSWORD: PLATFORM_ADMIN.password, SCHEDULER: 'false', JWT_SECRET: TEST_JWT_SECRET, ...TEST_PASSWORD_HASH_ENV, ...env }),
    ...overrides,
  };
}

/**
 * The real API (the same factory as main.ts) listening on a free port, over its own database
 * (or `databaseUrl`). The first start has created the default municipality (Kraków) with the
 * platform admin: in the run's first-started template, unless `overrides` change what it creates.
 */
export async function createTestApp(overrides: Partial<AppConfig> = {}, options: { databaseUrl?: string } = {}): Promise<TestApp> {
  const database = options.databaseUrl ? undefined : await createTestDatabase({ firstStarted: !FIRST_START_SETTINGS.some((key) => key in overrides) });
  const databaseUrl = options.databaseUrl ?? database!.url;
  const config = testConfig(overrides);
  await prepareDatabase(databaseUrl, config, false);
  const app = await createApiApp({ config, databaseUrl });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  const call = async <T>(method: string, path: string, o: CallOptions = {}): Promise<Answer<T>> => {
    const headers: Record<string, string> = { ...o.headers };
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    let body: string | undefined = o.rawBody;
    if (o.body !== undefined) {
      body = JSON.stringify(o.body);
      headers['content-type'] ??= 'application/json';
    } else if (body !== undefined) {
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(url + path, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    if (/json/.test(response.headers.get('content-type') ?? '') && text) parsed = JSON.parse(text);
    return { status: response.status, headers: response.headers, body: parsed as T, text };
  };

  const login = async (email: string, password: string): Promise<string> => {
    const answer = await call<{ accessToken: string }>('POST', '/api/v1/auth/login', { body: { email, password } });
    if (answer.status !== 200) throw new Error(`login of ${email} failed: ${answer.status} ${answer.text}`);
    return answer.body.accessToken;
  };

  return {
    url,
    app,
    db: app.get(DataSource),
    databaseUrl,
    config,
    call,
    login,
    close: async () => {
      await app.close();
      await database?.drop();
    },
  };
}
