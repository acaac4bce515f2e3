/**
 * Jest runs in ESM mode (NestJS 12 is ESM-only): `npm test` starts node with
 * --experimental-vm-modules, and @swc/jest compiles TypeScript with legacy decorators
 * and decorator metadata. Three projects: unit specs next to the code, end-to-end specs
 * over HTTP against a real PostgreSQL (see test/setup/global-setup.ts), and the browser specs
 * in Chromium. `npm test` (test/setup/run-tests.mjs) runs the browser project in a Jest run of
 * its own after the others, so that nothing another spec leaves running shares its process.
 */
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      target: 'es2023',
      keepClassNames: true,
    },
    sourceMaps: 'inline',
  },
];

const libs = ['core', 'identity', 'spheres', 'ngos', 'programs', 'audit', 'tasks', 'activities', 'commissions', 'competitions', 'reports', 'site', 'jobs', 'exports', 'opendata', 'imports', 'webapp'];
const moduleNameMapper = {
  ...Object.fromEntries(libs.map((lib) => [`^@app/${lib}$`, `<rootDir>/libs/${lib}/src`])),
  '^@app/database$': '<rootDir>/database',
  '^(\\.{1,2}/.*)\\.js$': '$1',
};

const common = {
  rootDir: '.',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': swc,
    // an ESM-only dependency of @fastify/static (which Swagger UI loads), required from CommonJS
    '/node_modules/content-disposition/.+\\.js$': ['@swc/jest', { jsc: { parser: { syntax: 'ecmascript' }, target: 'es2023' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!(@fastify/static/node_modules/)?content-disposition/)'],
  moduleNameMapper,
  testEnvironment: 'node',
};

export default {
  // per test; the process spec sets its own
  testTimeout: 60_000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/**/*.spec.ts', '<rootDir>/database/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/setup/global-setup.ts',
      globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
    },
    {
      ...common,
      displayName: 'browser',
      // Debian's Chromium, one browser per file; its own set-up (Chromium, then a database of this run alone)
      testMatch: ['<rootDir>/test/browser/**/*.browser-spec.ts'],
      globalSetup: '<rootDir>/test/browser/setup/global-setup.ts',
      globalTeardown: '<rootDir>/test/browser/setup/global-teardown.ts',
    },
  ],
};
