import { Table, TableColumn, TableForeignKey, TableIndex, type QueryRunner, type TableColumnOptions } from "typeorm";

// Helpers for dialect-neutral migrations: every column type goes through the driver's own
// normalizeType, so one migration creates the same tables on SQLite and MySQL/MariaDB as the
// entities describe. Append-only: a released migration must keep producing the same schema, so
// change these only by adding new helpers.

export interface ColumnSpec {
  type: "varchar" | "text" | "int" | "boolean" | "datetime" | "json" | "double";
  length?: number;
  precision?: number;
  nullable?: boolean;
  primary?: boolean;
  /** Compared byte for byte (MySQL/MariaDB default to case- and accent-insensitive). */
  binary?: boolean;
  /** An auto-increment primary key. */
  increment?: boolean;
  /** A boolean column's value for rows that exist when it is added (SQL 0 or 1, as TypeORM writes it). */
  defaultFlag?: 0 | 1;
}

export const id = (): ColumnSpec => ({ type: "varchar", length: 36 });
export const key = (length = 120): ColumnSpec => ({ type: "varchar", length });
export const name = (): ColumnSpec => ({ type: "varchar", length: 200 });
export const enumeration = (): ColumnSpec => ({ type: "varchar", length: 40 });
export const url = (): ColumnSpec => ({ type: "varchar", length: 500 });
export const text = (): ColumnSpec => ({ type: "text" });
export const int = (): ColumnSpec => ({ type: "int" });
export const bool = (): ColumnSpec => ({ type: "boolean" });
/** A boolean that existing rows get as false. */
export const flagDefaultingFalse = (): ColumnSpec => ({ type: "boolean", defaultFlag: 0 });
export const time = (): ColumnSpec => ({ type: "datetime", precision: 6 });
export const json = (): ColumnSpec => ({ type: "json" });
export const double = (): ColumnSpec => ({ type: "double" });
export const nullable = (spec: ColumnSpec): ColumnSpec => ({ ...spec, nullable: true });
export const primary = (spec: ColumnSpec): ColumnSpec => ({ ...spec, primary: true });
/** For identifiers that must match exactly: "AbC" and "abc" are two different people. */
export const exact = (spec: ColumnSpec): ColumnSpec => ({ ...spec, binary: true });
export const serial = (): ColumnSpec => ({ type: "int", primary: true, increment: true });

function column(queryRunner: QueryRunner, columnName: string, spec: ColumnSpec): TableColumnOptions {
  const driver = queryRunner.connection.driver;
  return {
    name: columnName,
    type: driver.normalizeType({ type: spec.type, length: spec.length, precision: spec.precision }),
    length: spec.length !== undefined ? String(spec.length) : undefined,
    precision: spec.precision,
    isNullable: spec.nullable ?? false,
    isPrimary: spec.primary ?? false,
    ...(spec.increment ? { isGenerated: true, generationStrategy: "increment" as const } : {}),
    ...(spec.defaultFlag !== undefined ? { default: String(spec.defaultFlag) } : {}),
    // Byte for byte and without PAD SPACE ("a " is not "a"). SQLite compares that way already.
    ...(spec.binary && driver.options.type !== "better-sqlite3"
      ? { charset: "utf8mb4", collation: driver.options.type === "mariadb" ? "utf8mb4_nopad_bin" : "utf8mb4_0900_bin" }
      : {}),
  };
}

export interface ForeignKeySpec {
  columns: string[];
  references: string;
  referencedColumns?: string[];
  onDelete: "CASCADE" | "RESTRICT" | "SET NULL" | "NO ACTION";
  onUpdate?: "CASCADE" | "NO ACTION";
}

export interface TableSpec {
  columns: Record<string, ColumnSpec>;
  indices?: Array<{ name?: string; columns: string[]; unique?: boolean }>;
  foreignKeys?: ForeignKeySpec[];
}

export async function createTable(queryRunner: QueryRunner, tableName: string, spec: TableSpec): Promise<void> {
  await queryRunner.createTable(
    new Table({
      name: tableName,
      columns: Object.entries(spec.columns).map(([n, s]) => column(queryRunner, n, s)),
      indices: (spec.indices ?? []).map(
        (i) => new TableIndex({ name: i.name, columnNames: i.columns, isUnique: i.unique ?? false }),
      ),
      foreignKeys: (spec.foreignKeys ?? []).map(
        (f) =>
          new TableForeignKey({
            columnNames: f.columns,
            referencedTableName: f.references,
            referencedColumnNames: f.referencedColumns ?? ["id"],
            onDelete: f.onDelete,
            onUpdate: f.onUpdate ?? "NO ACTION",
          }),
      ),
    }),
  );
}

/** A many-to-many junction table as TypeORM's @JoinTable describes it: both ids, cascading. */
export async function createJunction(
  queryRunner: QueryRunner,
  tableName: string,
  owner: { column: string; table: string },
  target: { column: string; table: string },
): Promise<void> {
  await createTable(queryRunner, tableName, {
    columns: { [owner.column]: primary(id()), [target.column]: primary(id()) },
    indices: [{ columns: [owner.column] }, { columns: [target.column] }],
    foreignKeys: [
      { columns: [owner.column], references: owner.table, onDelete: "CASCADE", onUpdate: "CASCADE" },
      { columns: [target.column], references: target.table, onDelete: "CASCADE", onUpdate: "CASCADE" },
    ],
  });
}

/** Adds one column to an existing table (for later migrations). */
export async function addColumn(
  queryRunner: QueryRunner,
  tableName: string,
  columnName: string,
  spec: ColumnSpec,
): Promise<void> {
  await queryRunner.addColumn(tableName, new TableColumn(column(queryRunner, columnName, spec)));
}

/**
 * Makes an int primary key AUTO_INCREMENT or not, keeping its values. TypeORM's changeColumn
 * drops and re-adds the column on MySQL/MariaDB when only that changes (losing the data), so
 * those get a MODIFY; SQLite rebuilds the table, which keeps rows and indices.
 */
export async function setIncrement(
  queryRunner: QueryRunner,
  tableName: string,
  columnName: string,
  increment: boolean,
): Promise<void> {
  if (queryRunner.connection.driver.options.type !== "better-sqlite3") {
    await queryRunner.query(
      `ALTER TABLE \`${tableName}\` MODIFY \`${columnName}\` int NOT NULL${increment ? " AUTO_INCREMENT" : ""}`,
    );
    return;
  }
  const table = await queryRunner.getTable(tableName);
  const old = table!.findColumnByName(columnName)!;
  const changed = old.clone();
  changed.isGenerated = increment;
  changed.generationStrategy = increment ? "increment" : undefined;
  await queryRunner.changeColumn(table!, old, changed);
}
