import type { Database } from "./database";

/** The SQL TypeORM would run to make the database match the entities: empty means no drift. */
export async function schemaDrift(db: Database): Promise<string[]> {
  const sql = await db.writer.driver.createSchemaBuilder().log();
  return sql.upQueries.map((q) => q.query);
}
