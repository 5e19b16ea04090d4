import { Column, PrimaryColumn, type ColumnOptions } from "typeorm";

// Column shapes shared by entities and migrations, so both describe the same table. Enums are
// stored as short strings and checked by the app and GraphQL: no dialect-specific ENUM/CHECK.

export const UUID_LENGTH = 36;
export const KEY_LENGTH = 120;
export const NAME_LENGTH = 200;
export const ENUM_LENGTH = 40;
export const URL_LENGTH = 500;

export const IdColumn = (options: ColumnOptions = {}) => Column({ type: "varchar", length: UUID_LENGTH, ...options });
export const KeyColumn = (options: ColumnOptions = {}) => Column({ type: "varchar", length: KEY_LENGTH, ...options });
export const NameColumn = (options: ColumnOptions = {}) => Column({ type: "varchar", length: NAME_LENGTH, ...options });
export const EnumColumn = (options: ColumnOptions = {}) => Column({ type: "varchar", length: ENUM_LENGTH, ...options });
export const TextColumn = (options: ColumnOptions = {}) => Column({ type: "text", ...options });
export const JsonColumn = (options: ColumnOptions = {}) => Column({ type: "json", ...options });
export const TimeColumn = (options: ColumnOptions = {}) => Column({ type: "datetime", precision: 6, ...options });
export const IntColumn = (options: ColumnOptions = {}) => Column({ type: "int", ...options });
export const BoolColumn = (options: ColumnOptions = {}) => Column({ type: "boolean", ...options });
export const PrimaryIdColumn = () => PrimaryColumn({ type: "varchar", length: UUID_LENGTH });
export const UrlColumn = (options: ColumnOptions = {}) => Column({ type: "varchar", length: URL_LENGTH, ...options });
