import { In, type EntityManager } from "typeorm";
import { toGlobalId } from "../../kernel/ids";
import { translated, type Locale } from "../../kernel/text/locale";
import {
  AlgorithmCard,
  ConsentMode,
  DataCategory,
  DataController,
  type Jurisdiction,
  LegalBasis,
  PartnerRole,
  PrivacyPolicy,
  Purpose,
  RegulatedUse,
  SharingAgreement,
} from "../catalog";
import type { ConsentDiff } from "./consent-change";
import type { ConsentEvent } from "./consent-event.entity";
import { Channel, ConsentSource, ConsentStatus } from "./consent.enums";

// The signed payload of a consent receipt: every ISO/IEC TS 27560 field Candor can know, named
// as the DPVCG guide names them (catalog/iso27560-fields.md), filled from the catalog (its
// controller block, purposes, categories, agreements in force, algorithm cards, policy) and from
// the change itself. Nothing here is invented: a field Candor cannot know is left out.

export const RECEIPT_SCHEMA_VERSION = "ISO/IEC TS 27560:2023";
/** Candor's own layout of the payload; 1 was the camelCase payload of earlier receipts. */
export const RECEIPT_FORMAT = "candor-consent-receipt/2";

const DPV = "https://w3id.org/dpv#";

const LAWFUL_BASIS: Record<LegalBasis, string> = {
  [LegalBasis.CONSENT]: `${DPV}Consent`,
  [LegalBasis.LEGITIMATE_INTEREST]: `${DPV}LegitimateInterest`,
  [LegalBasis.CONTRACT]: `${DPV}Contract`,
  [LegalBasis.LEGAL_OBLIGATION]: `${DPV}LegalObligation`,
};

/** Service providers and contractors process for the controller; the others receive as third parties. */
const PARTY_ROLE: Record<PartnerRole, string> = {
  [PartnerRole.SERVICE_PROVIDER]: `${DPV}DataProcessor`,
  [PartnerRole.CONTRACTOR]: `${DPV}DataProcessor`,
  [PartnerRole.THIRD_PARTY]: `${DPV}ThirdParty`,
  [PartnerRole.DATA_BROKER]: `${DPV}ThirdParty`,
  [PartnerRole.ADVERTISER]: `${DPV}ThirdParty`,
};

/** How the choice reached Candor: the person's own act, or someone recording it for them. */
const CONSENT_TYPE: Record<ConsentSource, string> = {
  [ConsentSource.USER]: `${DPV}ExplicitlyExpressedConsent`,
  [ConsentSource.GLOBAL_PRIVACY_CONTROL]: `${DPV}ExpressedConsent`,
  [ConsentSource.SERVICE]: `${DPV}ExpressedConsent`,
  [ConsentSource.ADMIN]: `${DPV}ExpressedConsent`,
  [ConsentSource.DEFAULT]: `${DPV}ImpliedConsent`,
};

const TEXT: Record<Locale, Record<"untilChanged" | "whileAccount" | "withdraw", string>> = {
  en: {
    untilChanged: "Until you change this choice; it does not expire.",
    whileAccount: "Kept while your account exists.",
    withdraw: "Turn it off at any time, as easily as you turned it on.",
  },
  es: {
    untilChanged: "Hasta que cambies esta elección; no vence.",
    whileAccount: "Se guarda mientras exista tu cuenta.",
    withdraw: "Desactívalo cuando quieras, tan fácil como lo activaste.",
  },
};

/** What a person can do, here and through data requests (rights' DataRequestKind, checked by a test). */
const PRIVACY_RIGHTS: Array<{ right: string; request: boolean; en: string; es: string }> = [
  {
    right: "WITHDRAW_CONSENT",
    request: false,
    en: "Withdraw your consent at any time",
    es: "Retirar tu consentimiento cuando quieras",
  },
  {
    right: "GLOBAL_PRIVACY_CONTROL",
    request: false,
    en: "Opt out of sale and ads with your browser's Global Privacy Control signal",
    es: "Excluirte de la venta y de los anuncios con la señal Global Privacy Control de tu navegador",
  },
  {
    right: "ACCESS",
    request: true,
    en: "Get a copy of the data we hold about you",
    es: "Obtener una copia de tus datos",
  },
  { right: "DELETE", request: true, en: "Have your data deleted", es: "Pedir que borremos tus datos" },
  { right: "CORRECT", request: true, en: "Have wrong data corrected", es: "Pedir que corrijamos datos incorrectos" },
  {
    right: "OPT_OUT_OF_SALE",
    request: true,
    en: "Stop the sale or sharing of your data",
    es: "Impedir que vendamos o compartamos tus datos",
  },
  {
    right: "LIMIT_SENSITIVE_DATA",
    request: true,
    en: "Limit the use of your sensitive data",
    es: "Limitar el uso de tus datos sensibles",
  },
];

export interface ReceiptInput {
  id: string;
  diff: ConsentDiff;
  events: ConsentEvent[];
  channel: Channel;
  /** Who recorded the change (as the audit log names callers). */
  actor: string;
  jurisdiction: Jurisdiction;
  locale: Locale;
}

/** The catalog as a receipt describes it, read in a fixed number of statements. */
interface ReceiptCatalog {
  controller: DataController | null;
  policy: PrivacyPolicy | null;
  categories: Map<string, DataCategory[]>;
  agreements: SharingAgreement[];
  cards: AlgorithmCard[];
}

async function loadReceiptCatalog(m: EntityManager, purposeIds: string[], policyVersion: number) {
  // One after the other: they share the transaction's connection.
  const controller = await m.findOne(DataController, { where: {} });
  const policy = await m.findOneBy(PrivacyPolicy, { version: policyVersion });
  const purposes = await m.find(Purpose, { where: { id: In(purposeIds) }, relations: { dataCategories: true } });
  const agreements = await m.find(SharingAgreement, {
    where: { purposeId: In(purposeIds) },
    relations: { partner: true, dataCategories: true },
  });
  const cards = await m.find(AlgorithmCard, {
    where: { purposes: { id: In(purposeIds) } },
    relations: { purposes: true },
  });
  const byPosition = (a: DataCategory, b: DataCategory) => a.position - b.position;
  return {
    controller,
    policy,
    categories: new Map(purposes.map((p) => [p.id, [...(p.dataCategories ?? [])].sort(byPosition)])),
    agreements,
    cards,
  } satisfies ReceiptCatalog;
}

const inForce = (from: Date, to: Date | null, at: Date) => from <= at && (to === null || to > at);

const retention = (days: number | null, locale: Locale) =>
  days === null
    ? { days: null, duration: null, description: TEXT[locale].whileAccount }
    : { days, duration: `P${days}D` };

function controllerParty(c: DataController) {
  return {
    party_id: c.url,
    party_name: c.name,
    party_address: c.address,
    party_email: c.email,
    party_url: c.url,
    ...(c.phone ? { party_phone: c.phone } : {}),
    party_contact: c.email,
    party_role: `${DPV}DataController`,
    // In a consent record the controller is the party that receives the person's data.
    party_type: `${DPV}Recipient`,
  };
}

/** The partners that receive the purpose's data under an agreement in force, with what they get. */
function recipients(agreements: SharingAgreement[], at: Date, locale: Locale) {
  return agreements
    .filter((a) => inForce(a.startedAt, a.endedAt, at))
    .map((a) => {
      const p = a.partner!;
      const contact = p.privacyPolicyUrl ?? p.website;
      return {
        party_id: toGlobalId("Partner", p.id),
        party_name: p.name,
        // The catalog knows a partner's country, not its street address.
        party_address: { country: p.country },
        ...(p.website ? { party_url: p.website } : {}),
        ...(contact ? { party_contact: contact } : {}),
        party_role: PARTY_ROLE[p.role],
        partner_role: p.role,
        party_type: `${DPV}Recipient`,
        processing_location: p.country,
        agreement: a.key,
        shared_pii: (a.dataCategories ?? []).map((d) => d.key),
        is_sale: a.isSale,
        is_sharing_for_advertising: a.isSharingForAdvertising,
        retention_period: retention(a.retentionDays, locale),
        safeguards: a.safeguards,
      };
    });
}

function processingMethod(purpose: Purpose, cards: AlgorithmCard[], shares: boolean, at: Date) {
  const uses = purpose.regulatedUses;
  const terms = [`${DPV}Collect`, `${DPV}Store`, `${DPV}Use`];
  if (uses.includes(RegulatedUse.PROFILING)) terms.push(`${DPV}Profiling`);
  const algorithms = cards
    .filter((c) => c.purposes!.some((p) => p.id === purpose.id) && inForce(c.validFrom, c.validTo, at))
    .map((c) => ({ algorithm: c.key, version: c.version, human_involvement: c.humanInvolvement }));
  if (algorithms.length > 0) terms.push(`${DPV}AutomationOfProcessing`);
  if (shares) terms.push(`${DPV}Share`);
  return { dpv: terms, regulated_uses: uses, algorithms };
}

/** The channel, and who gave the choice: the person (directly or by GPC), or a service or admin for them. */
function collectionMethod(channel: Channel, source: ConsentSource) {
  const byPerson = source === ConsentSource.USER || source === ConsentSource.GLOBAL_PRIVACY_CONTROL;
  return { channel, source, data_source: byPerson ? `${DPV}DataSubject` : `${DPV}DataController` };
}

/** DPV's consent states: a "no" after a "yes" is a withdrawal, a first "no" a refusal. */
function eventState(after: ConsentStatus, before: ConsentStatus): string {
  if (after === ConsentStatus.GRANTED) return `${DPV}ConsentGiven`;
  return before === ConsentStatus.GRANTED ? `${DPV}ConsentWithdrawn` : `${DPV}ConsentRefused`;
}

/** The receipt's payload, signed as it is returned. */
export async function buildReceipt(m: EntityManager, input: ReceiptInput): Promise<Record<string, unknown>> {
  const { diff: d, locale } = input;
  const at = d.now;
  const catalog = await loadReceiptCatalog(
    m,
    d.changed.map((c) => c.purpose.id),
    d.policyVersion,
  );
  const controller = catalog.controller;
  const eventOf = new Map(input.events.map((e) => [e.purposeId, e]));
  const time = at.toISOString();

  const purposes = d.changed.map(({ purpose, before, after }) => {
    const event = eventOf.get(purpose.id)!;
    const shared = recipients(
      catalog.agreements.filter((a) => a.purposeId === purpose.id),
      at,
      locale,
    );
    return {
      purpose_id: purpose.key,
      purpose: translated(purpose, "name", locale),
      purpose_description: translated(purpose, "description", locale),
      purpose_type: purpose.dpvIri ?? `${DPV}Purpose`,
      lawful_basis: { basis: purpose.legalBasis, dpv: LAWFUL_BASIS[purpose.legalBasis] },
      consent_mode: purpose.defaultMode,
      pii_information: (catalog.categories.get(purpose.id) ?? []).map((c) => ({
        pii_type: c.key,
        pii_name: translated(c, "name", locale),
        ...(c.dpvIri ? { pii_type_dpv: c.dpvIri } : {}),
        pii_attribute_id: toGlobalId("DataCategory", c.id),
        // The person may refuse the data with the purpose, unless the purpose is essential.
        pii_optional: purpose.defaultMode !== ConsentMode.ESSENTIAL,
        sensitive_pii_category: c.sensitive,
        retention_period: retention(c.retentionDays, locale),
      })),
      processing_method: processingMethod(purpose, catalog.cards, shared.length > 0, at),
      recipient_third_parties: shared,
      events: [
        {
          event_id: toGlobalId("ConsentEvent", event.id),
          event_time: time,
          validity_duration: { valid_from: time, valid_until: null, description: TEXT[locale].untilChanged },
          entity_id: input.actor,
          event_type: CONSENT_TYPE[after.source],
          event_state: eventState(after.status, before.status),
          status: after.status,
          previous_status: before.status,
          source: after.source,
          gpc_overridden: after.gpcOverridden,
        },
      ],
    };
  });

  return {
    schema_version: RECEIPT_SCHEMA_VERSION,
    receipt_format: RECEIPT_FORMAT,
    record_id: input.id,
    receipt_id: toGlobalId("ConsentReceipt", input.id),
    issued_at: time,
    language: locale,
    pii_principal_id: toGlobalId("Subject", d.next.id),
    pii_principal_external_id: d.next.externalId,
    pii_controllers: controller ? [controllerParty(controller)] : [],
    privacy_notice: {
      url: controller?.privacyNoticeUrl ?? null,
      version: d.policyVersion,
      effective_at: catalog.policy?.effectiveAt.toISOString() ?? null,
      language: locale,
    },
    jurisdiction: input.jurisdiction.code,
    applicable_law: input.jurisdiction.law,
    collection_method: collectionMethod(input.channel, d.changed[0].after.source),
    storage_locations: controller?.storageLocations ?? [],
    ...(controller?.processingLocations ? { processing_location: controller.processingLocations } : {}),
    withdrawal_method: { url: controller?.withdrawalUrl ?? null, description: TEXT[locale].withdraw },
    privacy_rights: PRIVACY_RIGHTS.map((r) => ({
      right: r.right,
      description: r[locale],
      how: (r.request ? controller?.rightsUrl : controller?.withdrawalUrl) ?? null,
      ...(r.request
        ? {
            response_days: input.jurisdiction.requestResponseDays,
            extension_days: input.jurisdiction.requestExtensionDays,
          }
        : {}),
    })),
    global_privacy_control: d.next.gpc,
    purposes,
  };
}
