import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { parse, stringify } from "yaml";
import { CatalogApplyService } from "../src/modules/catalog/catalog-apply.service";
import { CatalogFileError } from "../src/modules/catalog/catalog-file";
import { startTestServer, TEST_JWT_SECRET, type TestServer } from "./helpers/server";

const run = promisify(execFile);
const root = join(__dirname, "..");
const small = readFileSync(join(__dirname, "fixtures", "small.yaml"), "utf8");
const TABLES = [
  "data_category",
  "purpose",
  "purpose_data_category",
  "personalization_level",
  "personalization_level_purpose",
  "surface",
  "algorithm_card",
  "algorithm_card_input",
  "algorithm_card_purpose",
  "partner",
  "sharing_agreement",
  "sharing_agreement_data_category",
  "privacy_policy",
  "data_controller",
  "audit_log",
];

/** Row counts of every catalog table and the audit log: "nothing changed" made checkable. */
async function snapshot(t: TestServer): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of TABLES)
    out[table] = Number((await t.services.db.manager.query(`SELECT COUNT(*) AS n FROM ${table}`))[0].n);
  return out;
}

function variant(mutate: (c: any) => void): string {
  const c = parse(small);
  mutate(c);
  return stringify(c);
}

describe("Catalog files: an operator applies a catalog from YAML", () => {
  let t: TestServer;
  let apply: (source: string, file?: string) => Promise<{ added: number; changed: number; unchanged: number }>;
  beforeAll(async () => {
    t = await startTestServer({ demoCatalog: false });
    const service = new CatalogApplyService(t.services.db);
    apply = (source, file = "small.yaml") => service.applyFile(file, source, "test");
  });
  afterAll(() => t.close());

  it("loads a file, then applying it again changes nothing and writes no audit entry", async () => {
    const first = await apply(small);
    expect(first.added).toBeGreaterThan(10);
    const before = await snapshot(t);
    expect(before.audit_log).toBe(1);
    expect(await apply(small)).toEqual({ added: 0, changed: 0, unchanged: first.added });
    expect(await snapshot(t)).toEqual(before);
  });

  it("updates what changed, in place, keeping ids", async () => {
    const before = await t.gql("{ purposes { id key name dataCategories { key } } }");
    // A change to what the policy describes comes with a new policy version (added).
    const changed = variant((c) => {
      c.purposes[1].name = "Product suggestions";
      c.purposes[1].dataCategories.push("user.location.precise");
      c.purposes[1].regulatedUses.push("SENSITIVE_DATA");
      c.policy.version = 2;
    });
    const result = await apply(changed);
    expect(result.changed).toBe(1);
    expect(result.added).toBe(1);
    const after = await t.gql("{ purposes { id key name dataCategories { key } } }");
    const rec = after.body.data!.purposes.find((p: any) => p.key === "recommendations");
    expect(rec.name).toBe("Product suggestions");
    expect(rec.dataCategories.map((d: any) => d.key)).toEqual([
      "user.behavior.browsing_history",
      "user.location.precise",
    ]);
    expect(after.body.data!.purposes.map((p: any) => p.id)).toEqual(before.body.data!.purposes.map((p: any) => p.id));
    // Back as it was: a third version; the first file then applies again, describing the same practices.
    await apply(variant((c) => (c.policy.version = 3)));
    await expect(apply(small)).resolves.toMatchObject({ added: 0, changed: 0 });
  });

  const bad: Array<[string, string, RegExp]> = [
    [
      "an unknown reference",
      variant((c) => c.purposes[1].dataCategories.push("user.nope")),
      /purposes\[1\] \(recommendations\)\.dataCategories: unknown data category "user\.nope"/,
    ],
    [
      "sensitive data without SENSITIVE_DATA",
      variant((c) => (c.purposes[2].regulatedUses = ["SALE"])),
      /purposes\[2\] \(nearby-offers\): uses sensitive data \(user\.location\.precise\)/,
    ],
    [
      "a sale without a SALE purpose",
      variant((c) => (c.partners[0].agreements[0].purpose = "recommendations")),
      /location-sale\): isSale needs a purpose with the SALE regulated use/,
    ],
    [
      "advertising sharing without an advertising purpose",
      variant((c) => (c.partners[0].agreements[0].isSharingForAdvertising = true)),
      /isSharingForAdvertising needs a purpose with CROSS_CONTEXT_BEHAVIORAL_ADVERTISING/,
    ],
    [
      "a bad enum value",
      variant((c) => (c.purposes[0].defaultMode = "MAYBE")),
      /purposes\[0\] \(order-fulfillment\)\.defaultMode: /,
    ],
    ["a missing field", variant((c) => delete c.surfaces[0].name), /surfaces\[0\] \(home-feed\)\.name: /],
    ["an unknown field", variant((c) => (c.partners[0].colour = "blue")), /partners\[0\] \(geo-broker\): .*colour/],
    [
      "overlapping algorithm versions",
      variant((c) => (c.algorithms[0].versions[0].validTo = "2026-06-01")),
      /algorithms\[0\] \(recs\) version 1: its validity overlaps version 2/,
    ],
    [
      "levels that are not nested",
      variant((c) => (c.personalizationLevels[0].purposes = ["nearby-offers"])),
      /level 1.*nested.*nearby-offers/,
    ],
    [
      "a duplicate key",
      variant((c) => c.dataCategories.push({ ...c.dataCategories[0] })),
      /dataCategories: "user\.behavior\.browsing_history" appears more than once/,
    ],
    [
      "a changed published policy",
      variant((c) => (c.policy.summary = "Something else.")),
      /policy: version 1 is already published with other content; publish the change as version 4/,
    ],
    ["invalid YAML", "purposes: [unclosed", /not valid YAML/],
    [
      "a catalog without the controller block",
      variant((c) => delete c.controller),
      /controller: is required: who is responsible for the data/,
    ],
    [
      "a controller with a malformed email",
      variant((c) => (c.controller.email = "privacy at small-shop.example")),
      /controller\.email: must be an email address/,
    ],
    [
      "a controller with a malformed URL",
      variant((c) => (c.controller.withdrawalUrl = "small-shop.example/choices")),
      /controller\.withdrawalUrl: must be an http\(s\) URL/,
    ],
    [
      "a controller with a malformed storage location",
      variant((c) => (c.controller.storageLocations = ["usa"])),
      /controller\.storageLocations\[0\]: must be an ISO 3166-1 alpha-2 code/,
    ],
  ];

  it.each(bad)(
    "refuses %s, naming the file, the entry and the problem, and changes nothing",
    async (_name, source, problem) => {
      const before = await snapshot(t);
      const error = await apply(source, "catalog/bad.yaml").then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(CatalogFileError);
      expect((error as Error).message).toMatch(/^catalog\/bad\.yaml: /);
      expect((error as Error).message).toMatch(problem);
      expect(await snapshot(t)).toEqual(before);
    },
  );

  it("keeps the controller it has when a new one is refused, and updates it in place when valid", async () => {
    const row = () => t.services.db.manager.query("SELECT id, name, email FROM data_controller");
    const before = await row();
    expect(before).toEqual([{ id: expect.any(String), name: "Small Shop LLC", email: "privacy@small-shop.example" }]);
    const renamedBadly = variant((c) => {
      c.controller.name = "Renamed Shop LLC";
      c.controller.url = "ftp://small-shop.example";
    });
    await expect(apply(renamedBadly)).rejects.toThrow(/controller\.url: must be an http\(s\) URL/);
    expect(await row()).toEqual(before);
    expect(await apply(variant((c) => (c.controller.name = "Renamed Shop LLC")))).toMatchObject({ changed: 1 });
    expect(await row()).toEqual([{ ...before[0], name: "Renamed Shop LLC" }]);
    await apply(small);
  });

  it("rolls back the whole file when a late step fails", async () => {
    // New entries come before the policy check: none of them may survive its refusal.
    const source = variant((c) => {
      c.dataCategories.push({
        key: "user.new",
        name: "New",
        description: "New data.",
        translations: { es: { name: "Nuevo", description: "Datos nuevos." } },
      });
      c.policy.summary = "Changed without a new version.";
    });
    const before = await snapshot(t);
    await expect(apply(source)).rejects.toThrow(CatalogFileError);
    expect(await snapshot(t)).toEqual(before);
  });
});

describe("The candor command: operators apply catalogs and manage keys from a shell", () => {
  // Each test spawns the CLI (a fresh Node process compiling TypeScript) several times.
  jest.setTimeout(180_000);
  let t: TestServer;
  let env: NodeJS.ProcessEnv;
  const candor = (...args: string[]) =>
    run("node", ["-r", "ts-node/register/transpile-only", "src/cli/candor.ts", ...args], { cwd: root, env }).then(
      (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );

  beforeAll(async () => {
    t = await startTestServer({ demoCatalog: false });
    env = {
      ...process.env,
      DATABASE_URL: t.services.config.databaseUrl,
      CANDOR_JWT_SECRET: TEST_JWT_SECRET,
      NODE_ENV: "test",
      LOG_LEVEL: "silent",
    };
  });
  afterAll(() => t.close());

  it("applies a catalog file and prints only a summary on stderr", async () => {
    const r = await candor("catalog", "apply", "tests/fixtures/small.yaml");
    expect(r).toMatchObject({ code: 0, stdout: "" });
    expect(r.stderr).toMatch(/small\.yaml: \d+ added, 0 changed, 0 unchanged/);
  });

  it("exits non-zero on a bad file, naming the file, the entry and the problem", async () => {
    const dir = mkdtempSync(join(tmpdir(), "candor-cli-"));
    const file = join(dir, "bad.yaml");
    writeFileSync(
      file,
      variant((c) => c.purposes[1].dataCategories.push("user.nope")),
    );
    const r = await candor("catalog", "apply", file);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(`${file}: 1 problem`);
    expect(r.stderr).toContain('purposes[1] (recommendations).dataCategories: unknown data category "user.nope"');
  });

  it("refuses a catalog without its controller block, naming the entry, and writes nothing", async () => {
    const dir = mkdtempSync(join(tmpdir(), "candor-cli-"));
    const file = join(dir, "no-controller.yaml");
    writeFileSync(
      file,
      variant((c) => delete c.controller),
    );
    const before = await snapshot(t);
    const r = await candor("catalog", "apply", file);
    expect(r).toMatchObject({ code: 1, stdout: "" });
    expect(r.stderr).toContain(`${file}: 1 problem`);
    expect(r.stderr).toContain("controller: is required");
    expect(await snapshot(t)).toEqual(before);
  });

  it("prints a subject token, a service key and a partner key that work, and revokes a key", async () => {
    const token = await candor("token", "subject", "cli-person", "--jurisdiction", "US-CO");
    expect(token.code).toBe(0);
    expect((await t.gql("{ viewer { role } }", {}, { token: token.stdout.trim() })).body.data?.viewer.role).toBe(
      "SUBJECT",
    );

    const admin = await candor("token", "admin");
    expect((await t.gql("{ viewer { role } }", {}, { token: admin.stdout.trim() })).body.data?.viewer.role).toBe(
      "ADMIN",
    );

    const service = await candor("apikey", "service", "engine", "--scopes", "consent:read,decisions:write");
    const key = service.stdout.trim();
    expect(key).toMatch(/^cnd_\S+$/);
    expect((await t.gql("{ viewer { scopes } }", {}, { token: key })).body.data?.viewer.scopes).toEqual([
      "consent:read",
      "decisions:write",
    ]);

    const partner = await candor("apikey", "partner", "geo-broker");
    expect(
      (await t.gql("{ viewer { partner { key } } }", {}, { token: partner.stdout.trim() })).body.data?.viewer.partner
        .key,
    ).toBe("geo-broker");

    const revoked = await candor("apikey", "revoke", key.slice(0, 12));
    expect(revoked).toMatchObject({ code: 0, stdout: "" });
    expect((await t.gql("{ viewer { role } }", {}, { token: key })).status).toBe(401);
  });

  it("refuses bad usage with exit code 2 and unknown scopes or partners with 1", async () => {
    expect((await candor("frobnicate")).code).toBe(2);
    const scopes = await candor("apikey", "service", "engine", "--scopes", "everything");
    expect(scopes.code).toBe(1);
    expect(scopes.stderr).toContain("unknown: everything");
    expect((await candor("apikey", "partner", "nobody")).code).toBe(1);
  });
});
