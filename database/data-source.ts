import { dataSourceOptions } from '@app/core';
import { DataSource } from 'typeorm';
import { entities } from './entities';
import { migrations } from './migrations';

/**
 * The TypeORM CLI's data source (npm run migration:run / migration:revert / migration:show):
 * the same options as the application, against DATABASE_MIGRATION_URL (the schema's owner) when
 * set, else DATABASE_URL.
 */
const url = process.env.DATABASE_MIGRATION_URL || process.env.DATABASE_URL;
if (!url) throw new Error('Set DATABASE_URL (or DATABASE_MIGRATION_URL) to the database to migrate');

export default new DataSource(dataSourceOptions({ url, entities, migrations, applicationName: 'ngo-tracker-cli' }));
