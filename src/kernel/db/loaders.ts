import DataLoader from "dataloader";
import { In, type EntityManager, type EntityTarget, type ObjectLiteral } from "typeorm";

// Generic DataLoaders: one SQL statement per relation per request, whatever the width of the result.

/** Loads rows by primary id; a missing id resolves to null. */
export function byIdLoader<T extends ObjectLiteral & { id: string }>(
  manager: () => EntityManager,
  target: EntityTarget<T>,
): DataLoader<string, T | null> {
  return new DataLoader(async (ids) => {
    const rows = await manager()
      .getRepository(target)
      .findBy({ id: In([...ids]) } as never);
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}

/** Loads rows grouped by a foreign-key column, ordered by `orderBy`. */
export function byForeignKeyLoader<T extends ObjectLiteral>(
  manager: () => EntityManager,
  target: EntityTarget<T>,
  foreignKey: keyof T & string,
  orderBy: keyof T & string,
): DataLoader<string, T[]> {
  return new DataLoader(async (ids) => {
    const rows = await manager()
      .getRepository(target)
      .find({ where: { [foreignKey]: In([...ids]) } as never, order: { [orderBy]: "ASC" } as never });
    return ids.map((id) => rows.filter((r) => r[foreignKey] === id));
  });
}

/**
 * Loads the targets of a @ManyToMany relation for many owners at once, through its junction table,
 * ordered by the target's `position` column when it has one.
 */
export function manyToManyLoader<T extends ObjectLiteral & { id: string }>(
  manager: () => EntityManager,
  owner: EntityTarget<ObjectLiteral>,
  relation: string,
): DataLoader<string, T[]> {
  return new DataLoader(async (ownerIds) => {
    const em = manager();
    const meta = em.connection.getMetadata(owner).findRelationWithPropertyPath(relation);
    const junction = meta?.junctionEntityMetadata;
    if (!meta || !junction) throw new Error(`${String(owner)}.${relation} is not a many-to-many relation`);
    const ownerColumn = junction.ownerColumns[0].databaseName;
    const targetColumn = junction.inverseColumns[0].databaseName;
    const targetMeta = meta.inverseEntityMetadata;
    const query = em
      .getRepository<T>(targetMeta.target)
      .createQueryBuilder("t")
      .innerJoin(junction.tableName, "j", `j.${targetColumn} = t.id`)
      .addSelect(`j.${ownerColumn}`, "owner_id")
      .where(`j.${ownerColumn} IN (:...ownerIds)`, { ownerIds: [...ownerIds] });
    if (targetMeta.findColumnWithPropertyName("position")) query.orderBy("t.position", "ASC");
    const { raw, entities } = await query.getRawAndEntities();
    const byId = new Map(entities.map((e) => [e.id, e]));
    const grouped = new Map<string, T[]>(ownerIds.map((id) => [id, []]));
    for (const row of raw as Array<Record<string, string>>) {
      const entity = byId.get(row.t_id);
      if (entity) grouped.get(row.owner_id)?.push(entity);
    }
    return ownerIds.map((id) => grouped.get(id)!);
  });
}
