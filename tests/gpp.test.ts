import { GppModel } from "@iabgpp/cmpapi";
import { UPDATE } from "./helpers/consent";
import { startTestServer, type TestServer } from "./helpers/server";

// The GPP string, decoded with IAB Tech Lab's own library, field by field against the consent
// state. Opt-outs: 1 = opted out, 2 = did not. Sensitive slots: 1 = no consent, 2 = consent.
describe("GPP string: ad partners read a person's choices in IAB's format", () => {
  let t: TestServer;
  let catalog: { purposes: any[]; dataCategories: any[] };
  beforeAll(async () => {
    t = await startTestServer();
    catalog = (
      await t.gql(
        "{ purposes { key regulatedUses dataCategories { key gppSensitiveSlot } } dataCategories { key gppSensitiveSlot } }",
      )
    ).body.data as any;
  });
  afterAll(() => t.close());

  async function decode(token: string, headers: Record<string, string> = {}) {
    const me = (
      await t.gql(
        "{ me { gppString globalPrivacyControl consents { purpose { key } status } } }",
        {},
        { token, headers },
      )
    ).body.data!.me;
    const model = new GppModel(me.gppString);
    expect(model.getHeader().SectionIds).toEqual([7]);
    return { usnat: model.getSection("usnat") as Record<string, any>, me };
  }

  /** What the usnat fields must say for this consent state, computed independently of the code. */
  function expected(me: {
    globalPrivacyControl: boolean;
    consents: Array<{ purpose: { key: string }; status: string }>;
  }) {
    const status = new Map(me.consents.map((c) => [c.purpose.key, c.status]));
    const using = (use: string) => catalog.purposes.filter((p) => p.regulatedUses.includes(use));
    const optOut = (use: string) =>
      using(use).length === 0 ? 0 : using(use).some((p) => status.get(p.key) === "DENIED") ? 1 : 2;
    const slots = Array.from({ length: 16 }, (_, i) => {
      const users = catalog.purposes.filter((p) => p.dataCategories.some((d: any) => d.gppSensitiveSlot === i + 1));
      return users.length === 0 ? 0 : users.some((p) => status.get(p.key) === "GRANTED") ? 2 : 1;
    });
    return {
      Version: 2,
      SharingNotice: 1,
      SaleOptOutNotice: using("SALE").length ? 1 : 0,
      SharingOptOutNotice: using("CROSS_CONTEXT_BEHAVIORAL_ADVERTISING").length ? 1 : 0,
      TargetedAdvertisingOptOutNotice: using("TARGETED_ADVERTISING").length ? 1 : 0,
      SensitiveDataProcessingOptOutNotice: using("SENSITIVE_DATA").length ? 1 : 0,
      SensitiveDataLimitUseNotice: using("SENSITIVE_DATA").length ? 1 : 0,
      SaleOptOut: optOut("SALE"),
      SharingOptOut: optOut("CROSS_CONTEXT_BEHAVIORAL_ADVERTISING"),
      TargetedAdvertisingOptOut: optOut("TARGETED_ADVERTISING"),
      SensitiveDataProcessing: slots,
      KnownChildSensitiveDataConsents: [0, 0, 0],
      PersonalDataConsents: 0,
      MspaCoveredTransaction: 2,
      MspaOptOutOptionMode: 0,
      MspaServiceProviderMode: 0,
      GpcSegmentType: 1,
      Gpc: me.globalPrivacyControl,
    };
  }

  it("says 'did not opt out' and 'no sensitive consent' for a Californian on the defaults", async () => {
    const { usnat, me } = await decode(await t.subjectToken("gpp-default"));
    expect(usnat).toEqual(expected(me));
    expect(usnat.SaleOptOut).toBe(2);
    expect(usnat.TargetedAdvertisingOptOut).toBe(2);
    expect(usnat.SensitiveDataProcessing[7]).toBe(1); // precise geolocation: opt-in, not given
    expect(usnat.SensitiveDataProcessing[2]).toBe(1); // health
    expect(usnat.SensitiveDataProcessing[0]).toBe(0); // racial or ethnic origin: not processed
    expect(usnat.Gpc).toBe(false);
  });

  it("follows the person's choices: an opt-out of sale, a yes to precise location", async () => {
    const token = await t.subjectToken("gpp-choices");
    await t.gql(
      UPDATE,
      {
        input: {
          channel: "WEB",
          changes: [
            { purpose: "sale-to-data-partners", granted: false },
            { purpose: "location-based-offers", granted: true },
          ],
        },
      },
      { token },
    );
    const { usnat, me } = await decode(token);
    expect(usnat).toEqual(expected(me));
    expect(usnat.SaleOptOut).toBe(1);
    expect(usnat.TargetedAdvertisingOptOut).toBe(2);
    expect(usnat.SensitiveDataProcessing[7]).toBe(2);
  });

  it("carries the GPC signal and the opt-outs it causes", async () => {
    const token = await t.subjectToken("gpp-gpc");
    const { usnat, me } = await decode(token, { "sec-gpc": "1" });
    expect(usnat).toEqual(expected(me));
    expect(usnat.Gpc).toBe(true);
    expect(usnat.SaleOptOut).toBe(1);
    expect(usnat.SharingOptOut).toBe(1);
    expect(usnat.TargetedAdvertisingOptOut).toBe(1);
  });
});
