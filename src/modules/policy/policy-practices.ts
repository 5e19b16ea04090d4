import { type CatalogSnapshot, DataCategory, type LiveCatalog, Partner, Purpose } from "../catalog";
import { DataPractice, Disclosure } from "./policy.types";

/** The fields a snapshot recorded (older snapshots lack some): laid over the live row, never blanking it. */
const defined = <T extends object>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

/**
 * The data-practice table of a version, from its snapshot: what the version described, not what
 * the catalog says today. Entities are the live rows (for their ids and translations) with the
 * described fields laid over them (copies: the catalog held in memory is shared). No statement.
 */
export function practicesOf(catalog: LiveCatalog, snapshot: CatalogSnapshot): DataPractice[] {
  const live = <T extends { key: string }>(rows: readonly T[]) => new Map(rows.map((r) => [r.key, r]));
  const [c, p, r] = [live(catalog.dataCategories.list), live(catalog.purposes.list), live(catalog.partners.list)];
  const purpose = new Map(
    snapshot.purposes
      .filter((x) => p.has(x.key))
      .map((x) => {
        const { dataCategories: _, ...described } = x;
        return [x.key, Object.assign(new Purpose(), p.get(x.key), defined(described))];
      }),
  );
  const partner = new Map(
    snapshot.partners
      .filter((x) => r.has(x.key))
      .map((x) => [
        x.key,
        Object.assign(new Partner(), r.get(x.key), {
          name: x.name,
          role: x.role,
          ...(x.country ? { country: x.country } : {}),
        }),
      ]),
  );
  const agreements = snapshot.agreements ?? [];
  return snapshot.dataCategories
    .filter((d) => c.has(d.key))
    .map((d) => {
      const recipients = snapshot.partners.filter((x) => x.dataCategories.includes(d.key) && partner.has(x.key));
      return Object.assign(new DataPractice(), {
        dataCategory: Object.assign(new DataCategory(), c.get(d.key), defined({ ...d, translations: undefined })),
        purposes: snapshot.purposes
          .filter((x) => x.dataCategories.includes(d.key) && purpose.has(x.key))
          .map((x) => purpose.get(x.key)!),
        recipients: recipients.map((x) => partner.get(x.key)!),
        disclosures: agreements
          .filter((a) => a.dataCategories.includes(d.key) && partner.has(a.partner) && purpose.has(a.purpose))
          .map((a) =>
            Object.assign(new Disclosure(), {
              partner: partner.get(a.partner)!,
              purpose: purpose.get(a.purpose)!,
              sold: a.isSale,
              sharedForAdvertising: a.isSharingForAdvertising,
              retentionDays: a.retentionDays,
            }),
          ),
        retentionDays: d.retentionDays,
      });
    });
}
