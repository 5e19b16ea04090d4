import "reflect-metadata";
import { DataSource } from "typeorm";
import { entities } from "./src/app/entities";
import { loadConfig } from "./src/config";
import { dataSourceOptions, parseDatabaseUrl } from "./src/kernel/db/database";

// The DataSource for the TypeORM CLI (`npx typeorm-ts-node-commonjs -d ormconfig.ts …`). The app
// itself opens the database through src/db/database.ts, which also detects MariaDB behind a
// mysql:// URL; give the CLI a mariadb:// URL for MariaDB.
export default new DataSource(dataSourceOptions(parseDatabaseUrl(loadConfig().databaseUrl), { entities }));
