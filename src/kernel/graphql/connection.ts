import { IsOptional, MaxLength } from "class-validator";
import { ArgsType, Field, Int, ObjectType, type ClassType } from "type-graphql";
import { LessThan, type EntityManager, type EntityTarget, type FindOptionsWhere } from "typeorm";
import { DomainError } from "../errors";

export const MAX_PAGE = 100;

/** `first` (1..100) and `after`: the arguments of every connection, newest first. */
@ArgsType()
export class PageArgs {
  @Field(() => Int, { description: `How many to return: 1 to ${MAX_PAGE} (more is refused with LIMIT_EXCEEDED).` })
  first: number;

  @Field(() => String, { nullable: true, description: "The endCursor of the page before, to read the next one." })
  @IsOptional()
  @MaxLength(200)
  after?: string | null;
}

@ObjectType()
export class PageInfo {
  @Field()
  hasNextPage: boolean;

  @Field()
  hasPreviousPage: boolean;

  @Field(() => String, { nullable: true })
  startCursor: string | null;

  @Field(() => String, { nullable: true })
  endCursor: string | null;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

/** A page of an unbounded list: edges with opaque cursors, page info and the total. */
export interface Connection<T> {
  edges: Array<Edge<T>>;
  pageInfo: PageInfo;
  /** May be counted only when asked for (`pageOf`). */
  totalCount: number | Promise<number>;
}

/**
 * The GraphQL types of a connection of `node`, built once here for every list: `<name>Connection`
 * with `edges: [<name>Edge!]!`, `pageInfo` and `totalCount`.
 */
export function ConnectionType<T extends object>(
  node: ClassType<T>,
  name: string = node.name,
): ClassType<Connection<T>> {
  @ObjectType(`${name}Edge`)
  class EdgeType implements Edge<T> {
    @Field()
    cursor: string;

    @Field(() => node)
    node: T;
  }

  @ObjectType(`${name}Connection`)
  class ConnectionClass implements Connection<T> {
    @Field(() => [EdgeType])
    edges: Array<Edge<T>>;

    @Field(() => PageInfo)
    pageInfo: PageInfo;

    @Field(() => Int)
    totalCount: number;
  }
  return ConnectionClass;
}

/** `first` must be 1..100 (LIMIT_EXCEEDED above, INVALID below). */
export function checkFirst(first: number): void {
  if (!Number.isInteger(first) || first < 1) throw new DomainError("INVALID", "first must be at least 1", ["first"]);
  if (first > MAX_PAGE) throw new DomainError("LIMIT_EXCEEDED", `first must be at most ${MAX_PAGE}`, ["first"]);
}

// Cursors are opaque to clients: base64url of "<kind>:<sort key>". Each connection has its kind
// ("c" a time-ordered UUIDv7, "s" a signal sequence, "a" an audit sequence, "o" an offset), so a
// cursor from one connection is refused by another.
const notACursor = () => new DomainError("INVALID", "after is not a cursor from this connection", ["after"]);

export const encodeCursor = (kind: string, key: string | number) => Buffer.from(`${kind}:${key}`).toString("base64url");

/** The sort key of a cursor of `kind`, if it matches `key` (a pattern for the part after "kind:"). */
export function decodeCursor(kind: string, cursor: string | null | undefined, key: RegExp): string | null {
  if (cursor === null || cursor === undefined) return null;
  const decoded = cursor.length <= 100 ? Buffer.from(cursor, "base64url").toString("utf8") : "";
  const value = decoded.startsWith(`${kind}:`) ? decoded.slice(kind.length + 1) : "";
  if (!key.test(value)) throw notACursor();
  return value;
}

/** A numeric sort key (sequence or offset), at most 9 digits. */
export function decodeNumberCursor(kind: string, cursor: string | null | undefined): number | null {
  const value = decodeCursor(kind, cursor, /^\d{1,9}$/);
  return value === null ? null : Number(value);
}

export const toCursor = (id: string) => encodeCursor("c", id);
export const fromCursor = (cursor: string | null | undefined) => decodeCursor("c", cursor, /^[0-9a-f-]{36}$/);

/** Edges and page info from the `first + 1` rows fetched past the cursor. */
export function connectionOf<T>(
  rows: T[],
  first: number,
  hasPreviousPage: boolean,
  cursorOf: (node: T, index: number) => string,
) {
  const edges = rows.slice(0, first).map((node, i) => ({ cursor: cursorOf(node, i), node }));
  const pageInfo: PageInfo = Object.assign(new PageInfo(), {
    hasNextPage: rows.length > first,
    hasPreviousPage,
    startCursor: edges[0]?.cursor ?? null,
    endCursor: edges[edges.length - 1]?.cursor ?? null,
  });
  return { edges, pageInfo };
}

/**
 * One page of rows newest first (by time-ordered id): one statement, and one more for the total
 * only when the query asks for `totalCount` (a widget listing decisions seldom does).
 */
export async function pageOf<T extends { id: string }>(
  manager: EntityManager,
  target: EntityTarget<T>,
  where: FindOptionsWhere<T>,
  first: number,
  after: string | null | undefined,
): Promise<Connection<T>> {
  checkFirst(first);
  const cursor = fromCursor(after);
  const rows = await manager.find(target, {
    where: cursor ? { ...where, id: LessThan(cursor) } : where,
    order: { id: "DESC" } as never,
    take: first + 1,
  });
  let total: Promise<number> | null = null;
  return Object.defineProperty(
    connectionOf(rows, first, cursor !== null, (node) => toCursor(node.id)),
    "totalCount",
    { enumerable: true, get: () => (total ??= manager.count(target, { where })) },
  ) as Connection<T>;
}
