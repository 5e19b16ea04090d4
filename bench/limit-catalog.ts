import type { LimitDb, Row, Tally } from "./limit-db";

// The reference server's catalog (bench/limit-server.ts): read once at start and held in memory,
// with the catalog page precomputed; and the widget's answer built from a decision's rows.

export interface Catalog {
  purposes: Map<string, Row>;
  purposeByKey: Map<string, Row>;
  categories: Map<string, Row>;
  categoryByKey: Map<string, Row>;
  surfaceByKey: Map<string, Row>;
  cards: Map<string, Row>;
  /** Precomputed: the anonymous catalog page needs no statement at all. */
  page: string;
  serviceKeys: Map<string, string[]>;
}

export async function loadCatalog(db: LimitDb): Promise<Catalog> {
  const t: Tally = { count: 0 };
  const [purposes, categories, surfaces, cards, partners, agreements, pdc, adc, keys] = await Promise.all([
    db.run(t, "SELECT * FROM purpose ORDER BY position"),
    db.run(t, "SELECT * FROM data_category ORDER BY position"),
    db.run(t, "SELECT * FROM surface"),
    db.run(t, "SELECT * FROM algorithm_card"),
    db.run(t, "SELECT * FROM partner ORDER BY position"),
    db.run(t, "SELECT * FROM sharing_agreement ORDER BY `key`"),
    db.run(t, "SELECT * FROM purpose_data_category"),
    db.run(t, "SELECT * FROM sharing_agreement_data_category"),
    db.run(t, "SELECT hash, scopes FROM api_key WHERE revoked_at IS NULL AND kind = 'SERVICE'"),
  ]);
  const byId = (rows: Row[]) => new Map(rows.map((r) => [String(r.id), r]));
  const byKey = (rows: Row[]) => new Map(rows.map((r) => [String(r.key), r]));
  const cats = byId(categories);
  const ps = byId(purposes);
  const page = JSON.stringify({
    data: {
      purposes: purposes.map((p) => ({
        key: p.key,
        name: p.name,
        description: p.description,
        benefit: p.benefit,
        dataCategories: pdc
          .filter((j) => j.purpose_id === p.id)
          .map((j) => cats.get(String(j.data_category_id))!)
          .map((c) => ({ key: c.key, name: c.name })),
      })),
      partners: partners.map((partner) => ({
        key: partner.key,
        name: partner.name,
        agreements: agreements
          .filter((a) => a.partner_id === partner.id)
          .map((a) => ({
            key: a.key,
            reason: a.reason,
            purpose: { key: ps.get(String(a.purpose_id))!.key },
            dataCategories: adc
              .filter((j) => j.sharing_agreement_id === a.id)
              .map((j) => ({ key: cats.get(String(j.data_category_id))!.key })),
          })),
      })),
    },
  });
  const json = (v: unknown) => (typeof v === "string" ? JSON.parse(v) : v) as string[];
  return {
    purposes: ps,
    purposeByKey: byKey(purposes),
    categories: cats,
    categoryByKey: byKey(categories),
    surfaceByKey: byKey(surfaces),
    cards: new Map(cards.map((c) => [`${c.key}@${c.version}`, c])),
    page,
    serviceKeys: new Map(keys.map((k) => [String(k.hash), json(k.scopes)])),
  };
}

/** The factors of decisions as the widget shows them, largest share first, with simple texts. */
export function explain(catalog: Catalog, rows: Row[], controls: Row[]) {
  const decisions = new Map<string, { decision: Row; factors: Row[] }>();
  for (const r of rows) {
    const id = String(r.id);
    if (!decisions.has(id)) decisions.set(id, { decision: r, factors: [] });
    decisions.get(id)!.factors.push(r);
  }
  const withdrawn = new Set(controls.filter((c) => c.k === "c" && c.v === "DENIED").map((c) => String(c.ref)));
  const nonProfiling = new Set(
    controls.filter((c) => c.k === "m" && c.v === "NON_PROFILING").map((c) => String(c.ref)),
  );
  const hidden = new Set(controls.filter((c) => c.k === "h").map((c) => String(c.ref)));
  return [...decisions.values()].map(({ decision: d, factors }) => {
    const sorted = [...factors].sort((a, b) => Number(b.share) - Number(a.share));
    const named = sorted.map((f) => ({
      f,
      purpose: catalog.purposes.get(String(f.purpose_id))!,
      category: catalog.categories.get(String(f.data_category_id))!,
    }));
    const top = named[0]?.purpose;
    return {
      itemLabel: d.item_label,
      sponsor: d.sponsor_paid_by ? { onBehalfOf: d.sponsor_on_behalf_of, paidBy: d.sponsor_paid_by } : null,
      explanation: {
        headline: `We showed you ${d.item_label} because of ${named.map((n) => n.purpose.name).join(" and ")}.`,
        factors: named.map((n) => ({
          text: `${n.purpose.name}. Data used: ${String(n.category.name).toLowerCase()}.`,
          factor: { share: n.f.share, purpose: { name: n.purpose.name }, dataCategory: { name: n.category.name } },
        })),
        controls: [
          ...(top
            ? [
                {
                  kind: "WITHDRAW_CONSENT",
                  label: `Stop using my data for "${top.name}"`,
                  active: withdrawn.has(String(top.id)),
                },
              ]
            : []),
          {
            kind: "SWITCH_TO_NON_PROFILING",
            label: "Show this without using my profile",
            active: nonProfiling.has(String(d.surface_id)),
          },
          ...(d.sponsor_paid_by
            ? [
                {
                  kind: "HIDE_SPONSOR",
                  label: `Hide ads from ${d.sponsor_paid_by}`,
                  active: hidden.has(String(d.sponsor_paid_by)),
                },
              ]
            : []),
        ],
      },
    };
  });
}
