import 'reflect-metadata';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { SnakeNamingStrategy, loadConfig } from '@staydesk/core';
import { MIGRATIONS } from '@staydesk/migrations';

/**
 * The data source the TypeORM CLI uses for `npm run migration:generate -- migrations/<Name>`
 * (run from the compiled dist/: entities are found by file name). Generated files are a
 * starting point: read them, then add the class to migrations/index.ts.
 */
export default new DataSource({
  type: 'postgres',
  url: loadConfig(process.env).database.url,
  entities: [join(__dirname, '..', 'libs', '*', 'src', '**', '*.entity.js')],
  migrations: MIGRATIONS,
  namingStrategy: new SnakeNamingStrategy(),
  synchronize: false,
});
