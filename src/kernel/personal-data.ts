import type { EntityManager } from "typeorm";
import { toGlobalId } from "./ids";

/**
 * A domain that holds data about people. Deletion (rights) asks each holder to forget a person
 * inside the deletion's transaction; each holder decides what it must keep (a person's refusals,
 * so that deletion never turns a "no" back into a "yes").
 */
export interface PersonalDataHolder {
  forgetPerson(m: EntityManager, subjectId: string): Promise<void>;
}

/** A domain whose data expires: the data audit asks it to purge what is past retention. */
export interface RetentionHolder {
  /**
   * Removes whatever is past its retention (`retentionDays` by data category id; null = kept)
   * in small transactions of its own, auditing each; answers what it removed, by kind.
   */
  purgeExpired(retentionDays: Map<string, number | null>, now: Date, actor: string): Promise<Record<string, number>>;
}

/** Reference columns named by global id in an export. */
const REFERENCES: Record<string, string> = {
  subjectId: "Subject",
  purposeId: "Purpose",
  dataCategoryId: "DataCategory",
  partnerId: "Partner",
  agreementId: "SharingAgreement",
  surfaceId: "Surface",
  algorithmCardId: "AlgorithmCard",
  decisionId: "Decision",
  receiptId: "ConsentReceipt",
  incidentId: "BreachIncident",
  sourcePartnerId: "Partner",
};

/**
 * Every row of every table that holds the person's id (found by the entities' metadata, so a new
 * table is never forgotten), objects and references named by global id. For the access export.
 */
export async function rowsAboutPerson(
  m: EntityManager,
  subjectId: string,
  except: string[] = [],
): Promise<Record<string, Array<Record<string, unknown>>>> {
  const out: Record<string, Array<Record<string, unknown>>> = {};
  for (const meta of m.connection.entityMetadatas) {
    if (!meta.findColumnWithPropertyName("subjectId") || except.includes(meta.tableName)) continue;
    const rows = await m.getRepository(meta.target).find({ where: { subjectId } as never });
    const isNode = meta.primaryColumns.length === 1 && meta.primaryColumns[0].propertyName === "id";
    out[meta.tableName] = rows.map((row: Record<string, unknown>) =>
      Object.fromEntries(
        Object.entries(row).map(([k, v]) => {
          if (k === "id" && isNode) return [k, toGlobalId(meta.targetName, String(v))];
          if (REFERENCES[k] && typeof v === "string") return [k.replace(/Id$/, ""), toGlobalId(REFERENCES[k], v)];
          return [k, v];
        }),
      ),
    );
  }
  return out;
}
