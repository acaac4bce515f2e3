import { removeProgramBuild } from '../utils/program';
import { withAdminClient } from './test-database';

/** Removes the run's build of the program, drops the template and every database this run made, then stops the embedded server if it started one. */
export default async function globalTeardown(): Promise<void> {
  if (process.env.TEST_BUILD_DIR) removeProgramBuild(process.env.TEST_BUILD_DIR);
  const server = globalThis.__TEST_SERVER__;
  const template = process.env.TEST_TEMPLATE_DB;
  if (server && template) {
    const runPrefix = template.replace(/_tmpl$/, '');
    await withAdminClient(server.adminUrl, async (client) => {
      const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${runPrefix}%`]);
      for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    });
  }
  await server?.embedded?.stop();
}
