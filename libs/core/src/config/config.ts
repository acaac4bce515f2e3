import { existsSync } from 'node:fs';
import { plainToInstance, Transform } from 'class-transformer';
import { IsBoolean, IsEmail, IsIn, IsInt, IsNotIn, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength, ValidateBy, validateSync } from 'class-validator';
import { CronTime } from 'cron';
import { COMMON_PASSWORD_MESSAGE, isCommonPassword } from '../auth/common-passwords';

const bool = () => Transform(({ value }) => (value === undefined || value === '' ? undefined : ['true', '1', 'yes'].includes(String(value).toLowerCase()) ? true : ['false', '0', 'no'].includes(String(value).toLowerCase()) ? false : value));
const int = () => Transform(({ value }) => (value === undefined || value === '' ? undefined : /^\d+$/.test(String(value)) ? Number(value) : value));
const str = () => Transform(({ value }) => (value === '' ? undefined : value));

/** A cron expression as the scheduler (the `cron` package) reads it: 5 fields, or 6 with seconds first. */
const IsCronExpression = (name: string) =>
  ValidateBy({
    name: 'isCronExpression',
    validator: {
      validate: (v) => typeof v === 'string' && CronTime.validateCronExpression(v).valid,
      defaultMessage: (args) => `${name} must be a cron expression such as "0 2 * * *" (minute hour day-of-month month day-of-week): ${String(CronTime.validateCronExpression(String(args?.value)).error?.message ?? 'not understood')}`,
    },
  });

/** An IANA time zone name that Intl (and so the scheduler) knows, e.g. Europe/Warsaw. */
const IsTimeZone = (name: string) =>
  ValidateBy({
    name: 'isTimeZone',
    validator: {
      validate: (v) => {
        if (typeof v !== 'string') return false;
        try {
          new Intl.DateTimeFormat('en', { timeZone: v });
          return true;
        } catch {
          return false;
        }
      },
      defaultMessage: () => `${name} must be an IANA time zone such as Europe/Warsaw`,
    },
  });

/** Slugs a municipality may not take: the first segments of the service's own paths (/api, /health), which the public pages at /{slug} share. */
export const RESERVED_SLUGS = ['api', 'health', 'docs', 'static', 'assets'] as const;

const PASSWORD_HASH_MEMORY_MESSAGE = 'PASSWORD_HASH_MEMORY_KIB must be a whole number of KiB from 19456 (19 MiB, OWASP\'s minimum for argon2id) to 4194304 (4 GiB)';
const PASSWORD_HASH_PASSES_MESSAGE = 'PASSWORD_HASH_PASSES must be a whole number from 2 (OWASP\'s minimum for argon2id) to 20';

/** argon2id's cost for new password hashes; a stored hash is verified with the cost it was made with. */
export interface PasswordHashCost {
  memoryKib: number;
  passes: number;
}

/** The library's defaults: 64 MiB and 3 passes, above OWASP's minimum (19 MiB, 2 passes). */
export const DEFAULT_PASSWORD_HASH_COST: PasswordHashCost = { memoryKib: 65_536, passes: 3 };

/** The environment the processes read; README "Configuration" lists the same variables. */
class Env {
  @int() @IsOptional() @IsInt() @Min(0) @Max(65535) PORT?: number;
  @str() @IsOptional() @IsString() HOST?: string;
  @str() @IsOptional() @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' }) DATABASE_URL?: string;
  @str() @IsOptional() @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_MIGRATION_URL must be a postgres:// URL' }) DATABASE_MIGRATION_URL?: string;
  @str() @IsOptional() @Matches(/^postgres(ql)?:\/\/[^,\s]+(\s*,\s*postgres(ql)?:\/\/[^,\s]+)*$/, { message: 'DATABASE_REPLICA_URLS must be postgres:// URLs separated by commas' }) DATABASE_REPLICA_URLS?: string;
  @int() @IsOptional() @IsInt() @Min(100) @Max(600_000) REPLICA_MAX_LAG_MS?: number;
  @int() @IsOptional() @IsInt() @Min(1) @Max(200) DATABASE_POOL_SIZE?: number;
  @int() @IsOptional() @IsInt() @Min(0) @Max(600_000) DATABASE_QUERY_TIMEOUT?: number;
  @str() @IsOptional() @IsString() DATA_DIR?: string;
  @str() @IsOptional() @IsEmail({}, { message: 'ADMIN_EMAIL must be an email address' }) ADMIN_EMAIL?: string;
  // the same rules as passwords given to the API, so the first admin can always sign in
  @str() @IsOptional() @IsString() @MinLength(8, { message: 'ADMIN_PASSWORD must be at least 8 characters long' }) @MaxLength(200, { message: 'ADMIN_PASSWORD must be at most 200 characters long' })
  @Matches(/^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/, { message: 'ADMIN_PASSWORD must not contain control characters' })
  @ValidateBy({ name: 'notCommonPassword', validator: { validate: (v) => typeof v !== 'string' || !isCommonPassword(v), defaultMessage: () => `ADMIN_PASSWORD ${COMMON_PASSWORD_MESSAGE}` } })
  ADMIN_PASSWORD?: string;
  @str() @IsOptional() @IsString() @MaxLength(200) MUNICIPALITY_NAME?: string;
  @str() @IsOptional() @Matches(/^[a-z0-9]+(-[a-z0-9]+)*$/, { message: 'MUNICIPALITY_SLUG must be lowercase letters, digits and dashes' })
  @IsNotIn([...RESERVED_SLUGS], { message: `MUNICIPALITY_SLUG must not be one of the site's own paths (${RESERVED_SLUGS.join(', ')})` })
  MUNICIPALITY_SLUG?: string;
  @str() @IsOptional() @Matches(/^\d{7}$/, { message: 'MUNICIPALITY_TERYT must be 7 digits' }) MUNICIPALITY_TERYT?: string;
  @bool() @IsOptional() @IsBoolean({ message: 'DEMO_DATA must be true or false' }) DEMO_DATA?: boolean;
  @bool() @IsOptional() @IsBoolean({ message: 'SCHEDULER must be true or false' }) SCHEDULER?: boolean;
  @str() @IsOptional() @IsCronExpression('REPORT_COMPILE_CRON') REPORT_COMPILE_CRON?: string;
  @str() @IsOptional() @IsCronExpression('REPORT_OPEN_CRON') REPORT_OPEN_CRON?: string;
  @str() @IsOptional() @IsTimeZone('JOBS_TIME_ZONE') JOBS_TIME_ZONE?: string;
  @int() @IsOptional() @IsInt({ message: 'NIGHTLY_COMPILE_CONCURRENCY must be a whole number from 1 to 16' }) @Min(1, { message: 'NIGHTLY_COMPILE_CONCURRENCY must be a whole number from 1 to 16' }) @Max(16, { message: 'NIGHTLY_COMPILE_CONCURRENCY must be a whole number from 1 to 16' })
  NIGHTLY_COMPILE_CONCURRENCY?: number;
  @int() @IsOptional() @IsInt({ message: 'NIGHTLY_LEASE_SECONDS must be a whole number of seconds from 5 to 3600' }) @Min(5, { message: 'NIGHTLY_LEASE_SECONDS must be a whole number of seconds from 5 to 3600' }) @Max(3600, { message: 'NIGHTLY_LEASE_SECONDS must be a whole number of seconds from 5 to 3600' })
  NIGHTLY_LEASE_SECONDS?: number;
  @str() @IsOptional() @IsString() @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters long' }) JWT_SECRET?: string;
  @str() @IsOptional() @IsString() @MinLength(32, { message: 'JWT_SECRET_PREVIOUS must be at least 32 characters long' }) JWT_SECRET_PREVIOUS?: string;
  @int() @IsOptional() @IsInt() @Min(60) @Max(7 * 24 * 3600) TOKEN_TTL?: number;
  @int() @IsOptional() @IsInt() @Min(1) @Max(10_000) LOGIN_RATE_LIMIT?: number;
  // OWASP's floor for argon2id is 19 MiB with 2 passes; nothing below it is accepted
  @int() @IsOptional() @IsInt({ message: PASSWORD_HASH_MEMORY_MESSAGE }) @Min(19_456, { message: PASSWORD_HASH_MEMORY_MESSAGE }) @Max(4_194_304, { message: PASSWORD_HASH_MEMORY_MESSAGE })
  PASSWORD_HASH_MEMORY_KIB?: number;
  @int() @IsOptional() @IsInt({ message: PASSWORD_HASH_PASSES_MESSAGE }) @Min(2, { message: PASSWORD_HASH_PASSES_MESSAGE }) @Max(20, { message: PASSWORD_HASH_PASSES_MESSAGE }) PASSWORD_HASH_PASSES?: number;
  @str() @IsOptional() @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) LOG_LEVEL?: string;
  @str() @IsOptional() @Matches(/^(false|\d{1,2}|[0-9a-fA-F.:/]+(\s*,\s*[0-9a-fA-F.:/]+)*)$/, {
    message: 'TRUST_PROXY must be false, the number of proxies in front (e.g. 1), or their addresses/CIDRs separated by commas',
  })
  TRUST_PROXY?: string;
}

export interface AppConfig {
  port: number;
  /** Unset: 127.0.0.1 with the embedded database (a demo must not face the network), else 0.0.0.0. */
  host?: string;
  databaseUrl?: string;
  /** The schema owner's connection: migrations and the first-start bootstrap run through it, the application on databaseUrl. */
  databaseMigrationUrl?: string;
  databasePoolSize: number;
  /** Streaming replicas that public pages, open data, public downloads and list pages read from (README "Read replicas"). */
  databaseReplicaUrls: string[];
  /** A replica further behind the primary than this (ms) is skipped until it catches up. */
  replicaMaxLagMs: number;
  /** Client-side limit on one API query, in ms (0: none). */
  databaseQueryTimeoutMs: number;
  dataDir: string;
  adminEmail?: string;
  adminPassword?: string;
  municipality: { name: string; slug: string; teryt: string };
  /** Unset means "true with the embedded database, else false"; resolved once the database is known. */
  demoData?: boolean;
  scheduler: boolean;
  /** The nightly job: recompiles the drafts whose input changed (cron, in jobsTimeZone). */
  reportCompileCron: string;
  /** The yearly job: opens the draft of the year just ended (cron, in jobsTimeZone). */
  reportOpenCron: string;
  /** The time zone the scheduler's cron expressions are read in. */
  jobsTimeZone: string;
  /** The nightly compile: items this process compiles at once (each is one transaction on a pooled connection). */
  nightlyCompileConcurrency: number;
  /** The nightly compile: how long a process's claim of an item lasts unless renewed (it renews it every third of that while it works). */
  nightlyLeaseSeconds: number;
  jwtSecret?: string;
  /** A retired JWT_SECRET: tokens it signed are still accepted (never used to sign), so a key can be rotated without signing everyone out. */
  jwtSecretPrevious?: string;
  tokenTtlSeconds: number;
  loginRateLimitPerMinute: number;
  /** argon2id's cost for the password hashes this process makes. */
  passwordHash: PasswordHashCost;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Fastify's trustProxy: false, a hop count, or the proxies' addresses. */
  trustProxy: false | number | string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`The configuration is invalid:\n  - ${problems.join('\n  - ')}`);
  }
}

export interface ConfigPurpose {
  /**
   * The process signs access tokens (the API): with DATABASE_URL it needs JWT_SECRET. The key
   * generated into the database is for the embedded demo only; a deployment keeps its key
   * outside the database it protects, and can rotate it (JWT_SECRET_PREVIOUS).
   */
  signsTokens?: boolean;
}

/** Validates the environment at boot; a bad value stops the process with a clear message. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, purpose: ConfigPurpose = {}): AppConfig {
  const parsed = plainToInstance(Env, { ...env });
  const errors = validateSync(parsed, { whitelist: false, skipMissingProperties: false });
  if (errors.length) {
    throw new ConfigError(errors.map((e) => Object.values(e.constraints ?? {}).join('; ') || `${e.property} is invalid`));
  }
  if ((parsed.ADMIN_EMAIL === undefined) !== (parsed.ADMIN_PASSWORD === undefined)) {
    throw new ConfigError(['ADMIN_EMAIL and ADMIN_PASSWORD must be set together']);
  }
  if (parsed.JWT_SECRET_PREVIOUS !== undefined && parsed.JWT_SECRET === undefined) {
    throw new ConfigError(['JWT_SECRET_PREVIOUS needs JWT_SECRET: the previous key only verifies tokens, JWT_SECRET signs them']);
  }
  if (purpose.signsTokens && parsed.DATABASE_URL !== undefined && parsed.JWT_SECRET === undefined) {
    throw new ConfigError(['JWT_SECRET must be set when DATABASE_URL is set (at least 32 random characters, e.g. `openssl rand -base64 48`): the generated key is for the embedded demo database only']);
  }
  if ((parsed.NIGHTLY_COMPILE_CONCURRENCY ?? 2) >= (parsed.DATABASE_POOL_SIZE ?? 10)) {
    // each compile holds a pooled connection for its transaction; the process's requests and the job's own bookkeeping need the rest
    throw new ConfigError([`NIGHTLY_COMPILE_CONCURRENCY (${parsed.NIGHTLY_COMPILE_CONCURRENCY ?? 2}) must be less than DATABASE_POOL_SIZE (${parsed.DATABASE_POOL_SIZE ?? 10})`]);
  }
  if (parsed.DATABASE_MIGRATION_URL && !parsed.DATABASE_URL) {
    throw new ConfigError(['DATABASE_MIGRATION_URL needs DATABASE_URL (the runtime role\'s connection) to be set too']);
  }
  return {
    port: parsed.PORT ?? 3000,
    host: parsed.HOST,
    databaseUrl: parsed.DATABASE_URL,
    databaseMigrationUrl: parsed.DATABASE_MIGRATION_URL,
    databasePoolSize: parsed.DATABASE_POOL_SIZE ?? 10,
    databaseReplicaUrls: parsed.DATABASE_REPLICA_URLS ? parsed.DATABASE_REPLICA_URLS.split(',').map((u) => u.trim()) : [],
    replicaMaxLagMs: parsed.REPLICA_MAX_LAG_MS ?? 5000,
    databaseQueryTimeoutMs: parsed.DATABASE_QUERY_TIMEOUT ?? 3500,
    dataDir: parsed.DATA_DIR ?? '.data',
    adminEmail: parsed.ADMIN_EMAIL?.toLowerCase(),
    adminPassword: parsed.ADMIN_PASSWORD,
    municipality: {
      name: parsed.MUNICIPALITY_NAME ?? 'Kraków',
      slug: parsed.MUNICIPALITY_SLUG ?? 'krakow',
      teryt: parsed.MUNICIPALITY_TERYT ?? '1261011',
    },
    demoData: parsed.DEMO_DATA,
    scheduler: parsed.SCHEDULER ?? true,
    reportCompileCron: parsed.REPORT_COMPILE_CRON ?? '0 2 * * *',
    reportOpenCron: parsed.REPORT_OPEN_CRON ?? '0 3 1 1 *',
    jobsTimeZone: parsed.JOBS_TIME_ZONE ?? 'Europe/Warsaw',
    nightlyCompileConcurrency: parsed.NIGHTLY_COMPILE_CONCURRENCY ?? 2,
    nightlyLeaseSeconds: parsed.NIGHTLY_LEASE_SECONDS ?? 60,
    jwtSecret: parsed.JWT_SECRET,
    jwtSecretPrevious: parsed.JWT_SECRET_PREVIOUS,
    tokenTtlSeconds: parsed.TOKEN_TTL ?? 8 * 3600,
    loginRateLimitPerMinute: parsed.LOGIN_RATE_LIMIT ?? 10,
    passwordHash: { memoryKib: parsed.PASSWORD_HASH_MEMORY_KIB ?? DEFAULT_PASSWORD_HASH_COST.memoryKib, passes: parsed.PASSWORD_HASH_PASSES ?? DEFAULT_PASSWORD_HASH_COST.passes },
    logLevel: (parsed.LOG_LEVEL as AppConfig['logLevel']) ?? 'info',
    trustProxy: parseTrustProxy(parsed.TRUST_PROXY),
  };
}

function parseTrustProxy(value: string | undefined): false | number | string {
  if (!value || value === 'false' || value === '0') return false;
  return /^\d+$/.test(value) ? Number(value) : value;
}

/** Injection token for the validated configuration. */
export const APP_CONFIG = Symbol('APP_CONFIG');

type NestLevel = 'fatal' | 'error' | 'warn' | 'log' | 'debug' | 'verbose';

/** The Nest log levels that LOG_LEVEL (pino's names, as Fastify's request log uses them) lets through. */
export function nestLogLevels(level: AppConfig['logLevel']): NestLevel[] | false {
  const order: Record<Exclude<AppConfig['logLevel'], 'silent'>, NestLevel[]> = {
    fatal: ['fatal'],
    error: ['fatal', 'error'],
    warn: ['fatal', 'error', 'warn'],
    info: ['fatal', 'error', 'warn', 'log'],
    debug: ['fatal', 'error', 'warn', 'log', 'debug'],
    trace: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
  };
  return level === 'silent' ? false : order[level];
}

/**
 * A program's configuration at start: `.env` in the working directory (when there is one) under
 * the environment, checked; a bad value ends the process with its message and exit code 2.
 */
export function loadConfigOrExit(purpose: ConfigPurpose = {}): AppConfig {
  if (existsSync('.env')) process.loadEnvFile('.env');
  try {
    return loadConfig(process.env, purpose);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}
