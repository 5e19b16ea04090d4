import { IsOptional, MaxLength } from "class-validator";
import { ArgsType, Field, Int, ObjectType } from "type-graphql";
import { LessThan, type EntityManager, type EntityTarget, type FindOptionsWhere } from "typeorm";
import { DomainError } from "./errors";

/** `first` (1..100) and `after`: the arguments of every connection, newest first. */
@ArgsType()
export class PageArgs {
  @Field(() => Int)
  first: number;

  @Field(() => String, { nullable: true })
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

export const MAX_PAGE = 100;

/** `first` must be 1..100 (LIMIT_EXCEEDED above, INVALID below). */
export function checkFirst(first: number): void {
  if (!Number.isInteger(first) || first < 1) throw new DomainError("INVALID", "first must be at least 1", ["first"]);
  if (first > MAX_PAGE) throw new DomainError("LIMIT_EXCEEDED", `first must be at most ${MAX_PAGE}`, ["first"]);
}

// Cursors are opaque to clients: base64url of a sort key (a time-ordered UUIDv7 here).
export const toCursor = (id: string) => Buffer.from(`c:${id}`).toString("base64url");

export function fromCursor(cursor: string | null | undefined): string | null {
  if (cursor === null || cursor === undefined) return null;
  const decoded = cursor.length <= 100 ? Buffer.from(cursor, "base64url").toString("utf8") : "";
  if (!/^c:[0-9a-f-]{36}$/.test(decoded)) throw new DomainError("INVALID", "after is not a cursor from this connection", ["after"]);
  return decoded.slice(2);
}

/** Edges and page info from `first + 1` rows fetched past the cursor. */
export function page<T extends { id: string }>(rows: T[], first: number, after: string | null) {
  const nodes = rows.slice(0, first);
  const edges = nodes.map((node) => ({ cursor: toCursor(node.id), node }));
  const pageInfo = Object.assign(new PageInfo(), {
    hasNextPage: rows.length > first,
    hasPreviousPage: after !== null,
    startCursor: edges[0]?.cursor ?? null,
    endCursor: edges[edges.length - 1]?.cursor ?? null,
  });
  return { edges, pageInfo };
}

/** One page of rows newest first (by time-ordered id), with the total: two statements. */
export async function pageOf<T extends { id: string }>(manager: EntityManager, target: EntityTarget<T>, where: FindOptionsWhere<T>, first: number, after: string | null | undefined) {
  checkFirst(first);
  const cursor = fromCursor(after);
  const [rows, totalCount] = await Promise.all([
    manager.find(target, { where: cursor ? { ...where, id: LessThan(cursor) } : where, order: { id: "DESC" } as never, take: first + 1 }),
    manager.count(target, { where }),
  ]);
  return { ...page(rows, first, cursor), totalCount };
}
