import { ACCESS_EXPORT_SCHEMA_PATH, EXPORT_LOCALES, EXPORT_TOPICS } from "./access-export";

// The JSON Schema (draft-07) of the access export, served at /schemas/access-export.json. Every
// object is closed (additionalProperties: false): a field added to the export without being
// described here fails the tests, so nothing internal slips in unnoticed.

type Schema = Record<string, unknown>;

const text: Schema = { type: "string" };
const nullableText: Schema = { type: ["string", "null"] };
const time: Schema = { type: "string", format: "date-time" };
const nullableTime: Schema = { type: ["string", "null"], format: "date-time" };
const count: Schema = { type: "integer", minimum: 0 };
const described = (description: string, schema: Schema): Schema => ({ description, ...schema });

/** A closed object: every listed property required (nullable ones say so in their type). */
const object = (properties: Record<string, Schema>, description?: string): Schema => ({
  ...(description ? { description } : {}),
  type: "object",
  properties,
  required: Object.keys(properties),
  additionalProperties: false,
});
const list = (items: Schema, description?: string): Schema => ({
  ...(description ? { description } : {}),
  type: "array",
  items,
});
const ref = (name: string): Schema => ({ $ref: `#/definitions/${name}` });
const nullable = (name: string): Schema => ({ oneOf: [{ type: "null" }, ref(name)] });

const named = {
  id: described("Global id (the API's Node id).", text),
  key: described("Stable key, as in the catalog.", text),
  name: described("Human name.", text),
};

export const accessExportSchema: Schema = {
  $schema: "http://json-schema.org/draft-07/schema#",
  $id: ACCESS_EXPORT_SCHEMA_PATH,
  title: "Candor access export",
  description:
    "Everything Candor holds about one person, by topic, for an ACCESS data request (DataRequest.export). Every id has a name beside it; Candor's own bookkeeping is left out.",
  definitions: {
    named: object(named),
    purpose: object({ ...named, description: described("What the purpose is for.", text) }),
    dataCategory: object({ ...named, description: described("What the data is.", text) }),
    partner: object({ ...named, country: described("ISO 3166-1 alpha-2 country of the partner.", text) }),
  },
  ...object({
    about: object(
      {
        format: { const: "candor-access-export" },
        version: { const: 1 },
        schema: { const: ACCESS_EXPORT_SCHEMA_PATH },
        generatedAt: time,
        locale: described("Language of the texts (explanations, topic notes).", { enum: [...EXPORT_LOCALES] }),
        topics: object(
          Object.fromEntries(EXPORT_TOPICS.map((t) => [t, text])),
          "One plain sentence per topic: what it holds.",
        ),
      },
      "What this file is.",
    ),
    profile: object({
      id: text,
      externalId: described("The id the business knows the person by.", text),
      jurisdiction: object({ code: text, law: nullableText }),
      globalPrivacyControl: { type: "boolean" },
      globalPrivacyControlSince: nullableTime,
      firstSeenAt: time,
      recommenderModes: list(object({ surface: ref("named"), mode: text })),
      hiddenSponsors: list(object({ sponsor: text, hiddenAt: time })),
    }),
    consents: list(
      object({
        purpose: ref("purpose"),
        status: { enum: ["GRANTED", "DENIED"] },
        source: text,
        since: nullableTime,
        history: list(
          object({
            at: time,
            status: text,
            previousStatus: nullableText,
            source: text,
            channel: text,
            policyVersion: count,
            receiptId: described("The signed receipt of this change, in receipts.", nullableText),
          }),
          "Every change, oldest first.",
        ),
      }),
      "Every purpose in the catalog, with the person's status and history.",
    ),
    decisions: list(
      object({
        id: text,
        kind: text,
        surface: ref("named"),
        item: object({ ref: text, label: text }),
        occurredAt: time,
        mode: text,
        sponsor: { oneOf: [{ type: "null" }, object({ onBehalfOf: text, paidBy: nullableText })] },
        algorithm: ref("named"),
        explanation: object({
          locale: { enum: [...EXPORT_LOCALES] },
          headline: text,
          reasons: list(
            object({
              text,
              share: { type: "number", minimum: 0, maximum: 1 },
              direction: { enum: ["RAISED", "LOWERED"] },
              purpose: ref("named"),
              dataCategory: ref("named"),
              sourcePartner: nullable("named"),
              evidence: list(object({ key: text, value: text })),
            }),
          ),
          counterfactual: nullableText,
        }),
      }),
      "Each ad or item picked for the person, newest first, explained in the person's language.",
    ),
    dataUse: list(
      object({
        dataCategory: ref("dataCategory"),
        purposes: list(ref("named")),
        decisions: count,
        firstUsedAt: time,
        lastUsedAt: time,
        sourcePartners: list(ref("named")),
        sharedWith: list(ref("named")),
      }),
      "What the records show each data category was used for, most recent first.",
    ),
    sharing: object({
      events: list(
        object({
          id: text,
          partner: ref("partner"),
          agreement: object({ id: text, key: text, reason: text, purpose: ref("named") }),
          dataCategories: list(ref("named")),
          occurredAt: time,
        }),
        "Each time the person's data went to a partner, newest first.",
      ),
      signals: list(
        object({
          id: text,
          partner: ref("named"),
          kind: text,
          purpose: nullable("named"),
          sentAt: time,
          acknowledgedAt: nullableTime,
        }),
        "What partners were told to do about the person (stop, delete), newest first.",
      ),
    }),
    receipts: list(
      object({
        id: text,
        issuedAt: time,
        content: described("The signed payload, decoded.", { type: "object" }),
        jws: described("Compact JWS, verifiable with /.well-known/jwks.json.", text),
      }),
    ),
    requests: list(
      object({
        id: text,
        kind: text,
        status: text,
        receivedAt: time,
        dueAt: time,
        extendedDueAt: nullableTime,
        completedAt: nullableTime,
        details: nullableText,
        statusReason: nullableText,
        extensionReason: nullableText,
      }),
    ),
    breachNotices: list(
      object({
        id: text,
        incident: object({
          id: text,
          title: text,
          description: text,
          status: text,
          occurredFrom: time,
          occurredTo: time,
          discoveredAt: time,
          whatWeAreDoing: text,
          whatYouCanDo: text,
        }),
        affectedDataCategories: list(ref("named")),
        notifiedAt: time,
        acknowledgedAt: nullableTime,
      }),
    ),
  }),
};
