import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SignJWT } from "jose";
import type { Browser, Page } from "playwright-core";
import { DEMO_PERSON, recordDemoDecisions } from "../../src/app/demo/demo-decisions";
import {
  artifactsDir,
  axeViolations,
  browserTestsEnabled,
  buildWidget,
  hostPage,
  launchChromium,
  serveStatic,
  type StaticSite,
} from "../helpers/browser";
import { record, recommendation } from "../helpers/decisions";
import { demoBrands, demoCatalogNames, englishWordsIn } from "../helpers/language";
import { startTestServer, TEST_JWT_SECRET, type TestServer } from "../helpers/server";

// The web components in Debian's Chromium, on a page from another origin than the API, used the
// way a person would: by keyboard, in English and Spanish, checked by axe-core.

const suite = browserTestsEnabled() ? describe : describe.skip;

suite("Web components in a real browser (<candor-why>, <candor-consent-center>)", () => {
  let t: TestServer;
  let site: StaticSite;
  let browser: Browser;
  let engine: string;

  const why = (locale: string, endpoint: string) =>
    `<p>Ridgeline hiking boots</p><candor-why surface="home-feed" item="sku-boots-ridgeline" locale="${locale}" endpoint="${endpoint}"></candor-why>`;
  const center = (locale: string, endpoint: string) =>
    `<candor-consent-center locale="${locale}" endpoint="${endpoint}"></candor-consent-center>`;

  beforeAll(async () => {
    t = await startTestServer();
    engine = await t.serviceKey(["decisions:write", "consent:write"], "engine");
    await recordDemoDecisions(t.services);
    const closed = "http://127.0.0.1:9/graphql"; // nothing listens on the discard port
    site = await serveStatic({
      "/candor.js": await buildWidget(),
      "/why.html": hostPage("en", why("en", t.url)),
      "/why-es.html": hostPage("es", why("es", t.url)),
      "/why-offline.html": hostPage("en", why("en", closed)),
      "/center.html": hostPage("en", center("en", t.url)),
      "/center-es.html": hostPage("es", center("es", t.url)),
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await t?.close();
  });

  /** A fresh page on the static origin, signed in as `person` (null: a token the test sets later). */
  async function open(path: string, token: string | null, init = ""): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 900, height: 900 } });
    await page.addInitScript(`window.candorToken = ${JSON.stringify(token)};${init}`);
    await page.goto(site.origin + path);
    return page;
  }

  // (The callbacks below run in the page; the project's types have no DOM, hence `any`.)
  /** What has keyboard focus, through the shadow roots. */
  const focused = (page: Page) =>
    page.evaluate(() => {
      let el: any = (globalThis as any).document.activeElement;
      while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
      return { tag: el?.tagName.toLowerCase() as string, text: (el?.innerText?.trim() ?? "") as string };
    });

  const shadowText = (page: Page, selector: string) =>
    page.locator(selector).evaluate((el: any) => el.shadowRoot.lastElementChild.innerText as string);

  /** The whole page, and its first screen (`-top`, the size docs/screenshots keeps). */
  const screenshot = async (page: Page, name: string) => {
    await page.screenshot({ path: join(artifactsDir(), `${name}.png`), fullPage: true });
    await page.screenshot({ path: join(artifactsDir(), `${name}-top.png`) });
  };

  it("explain an item to a keyboard-only person, whose withdrawal refuses the next decision relying on it", async () => {
    const before = await record(t, engine, [recommendation(DEMO_PERSON)]);
    expect(before.payload.results[0].userErrors).toEqual([]);
    const page = await open("/why.html", await t.subjectToken(DEMO_PERSON));

    await page.keyboard.press("Tab");
    expect(await focused(page)).toEqual({ tag: "button", text: "Why am I seeing this?" });
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog", { name: /We showed you Ridgeline hiking boots/ });
    await dialog.waitFor();
    expect((await focused(page)).text).toMatch(/^We showed you Ridgeline hiking boots mostly because/);
    const text = await dialog.innerText();
    for (const expected of [
      "What counted",
      "55%",
      "made it more likely",
      "Data used",
      "pages you view",
      "Your choices",
    ])
      expect(text).toContain(expected);

    // Tab to the control that withdraws the top factor's purpose, and use it.
    const label = /Gear picks for you/;
    for (let i = 0; i < 10 && !label.test((await focused(page)).text); i++) await page.keyboard.press("Tab");
    expect((await focused(page)).text).toMatch(label);
    await screenshot(page, "candor-why-en");
    expect(await axeViolations(page, "candor-why")).toEqual([]);
    await page.keyboard.press("Enter");
    await dialog.getByText("Done: we will no longer use this data for you.").waitFor();
    expect((await focused(page)).text).toBe("Done: we will no longer use this data for you.");

    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    expect(await focused(page)).toEqual({ tag: "button", text: "Why am I seeing this?" });
    const after = await record(t, engine, [recommendation(DEMO_PERSON)]);
    expect(after.payload.results[0].decision).toBeNull();
    expect(after.payload.results[0].userErrors.map((e: any) => e.code)).toContain("CONSENT_REQUIRED");
    await page.close();
  });

  it("speak Spanish with no English catalog word", async () => {
    const page = await open("/why-es.html", await t.subjectToken(DEMO_PERSON));
    await page.getByRole("button", { name: "¿Por qué veo esto?" }).click();
    const dialog = page.getByRole("dialog", { name: /botas de montaña Ridgeline/ });
    await dialog.waitFor();
    const text = await dialog.innerText();
    expect(text).toContain("Qué contó");
    expect(englishWordsIn(text, demoCatalogNames(), demoBrands())).toEqual([]);
    await screenshot(page, "candor-why-es");
    await page.close();
  });

  it("ask an expired session to sign in again, and offer a retry when the service cannot be reached", async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await new SignJWT({ role: "subject", jurisdiction: "US-CA" })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(DEMO_PERSON)
      .setIssuedAt(now - 7200)
      .setExpirationTime(now - 3600)
      .sign(new TextEncoder().encode(TEST_JWT_SECRET));
    const page = await open("/why.html", expired);
    await page.getByRole("button", { name: "Why am I seeing this?" }).click();
    await page.getByRole("alert").getByText("Please sign in again").waitFor();

    const offline = await open("/why-offline.html", await t.subjectToken(DEMO_PERSON));
    await offline.getByRole("button", { name: "Why am I seeing this?" }).click();
    await offline.getByText("We could not reach the privacy service.").waitFor();
    // The page points the element at the service again; the retry button then loads the explanation.
    await offline.locator("candor-why").evaluate((el, url) => el.setAttribute("endpoint", url), t.url);
    await offline.getByRole("button", { name: "Try again" }).click();
    await offline.getByRole("dialog", { name: /We showed you Ridgeline hiking boots/ }).waitFor();
    await Promise.all([page.close(), offline.close()]);
  });

  it("toggle a purpose in the consent center: the change is in the person's history, with a receipt to download", async () => {
    const token = await t.subjectToken(DEMO_PERSON);
    const page = await open(
      "/center.html",
      token,
      "Object.defineProperty(navigator, 'globalPrivacyControl', { value: true });",
    );
    const toggle = page.getByRole("switch", { name: "Offer emails" });
    await toggle.waitFor();
    const wasOn = await toggle.isChecked();
    const text = await shadowText(page, "candor-consent-center");
    const { gppString } = (await t.gql("{ me { gppString } }", {}, { token })).body.data!.me;
    for (const expected of [
      "Your browser sends a Global Privacy Control signal", // navigator.globalPrivacyControl, as Firefox and Brave send it
      "What we use your data for",
      "Always on: the service cannot work without it.", // essential purposes have no toggle
      "What your data was used for",
      "Your history and receipts",
      gppString,
    ])
      expect(text).toContain(expected);
    // The demo decisions and the first test's: data use counted from the records.
    expect(text).toMatch(/Pages you view: \d+ decisions; for: Gear picks for you, Ads based on what you do/);
    await screenshot(page, "candor-consent-center-en");
    expect(await axeViolations(page, "candor-consent-center")).toEqual([]);

    await toggle.focus();
    await page.keyboard.press("Space");
    await page.getByRole("status").getByText("Saved. A receipt is in your history.").waitFor();
    expect(await page.getByRole("switch", { name: "Offer emails" }).isChecked()).toBe(!wasOn);
    expect((await focused(page)).tag).toBe("input"); // the keyboard is still on the switch, drawn again

    const history = await t.gql(
      `{ me { consentHistory(first: 1, purpose: "email-offers") { edges { node { id status source receipt { id jws } } } } } }`,
      {},
      { token },
    );
    const event = history.body.data!.me.consentHistory.edges[0].node;
    expect(event).toMatchObject({ status: wasOn ? "DENIED" : "GRANTED", source: "USER" });
    expect(event.receipt.jws.split(".")).toHaveLength(3);
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.locator(`[data-event="${event.id}"]`).getByRole("link", { name: "Download receipt" }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`candor-receipt-${event.receipt.id}.jws`);
    expect(readFileSync(await download.path(), "utf8")).toBe(event.receipt.jws);

    // A data request, sent from the form and then followed in the list.
    await page.getByLabel("Request", { exact: true }).selectOption("ACCESS");
    await page.getByRole("button", { name: "Send request" }).click();
    await page.getByText(/^Get a copy of my data: (received|in progress|done)/).waitFor();
    const requests = await t.gql("{ me { dataRequests { kind } } }", {}, { token });
    expect(requests.body.data!.me.dataRequests).toEqual([{ kind: "ACCESS" }]);
    await page.close();
  });

  it("show a refused change next to the toggle that caused it, in the person's language", async () => {
    const person = "browser-gpc-person";
    const gpc = await t.gql(
      `mutation($input: RecordGlobalPrivacyControlInput!) { recordGlobalPrivacyControl(input: $input) { userErrors { code } } }`,
      { input: { subjectExternalId: person, enabled: true } },
      { token: engine },
    );
    expect(gpc.body.data!.recordGlobalPrivacyControl.userErrors).toEqual([]);
    const page = await open("/center-es.html", await t.subjectToken(person));
    const toggle = page.getByRole("switch", { name: "Anuncios según lo que haces" });
    await toggle.waitFor();
    expect(await toggle.isChecked()).toBe(false);
    await toggle.click(); // refused: the switch goes back off
    const box = page.locator('[data-purpose="targeted-advertising"]');
    await box.getByText("El Global Privacy Control de tu navegador dice que no a esto.", { exact: false }).waitFor();
    expect(await toggle.isChecked()).toBe(false);
    const text = await shadowText(page, "candor-consent-center");
    expect(text).toContain("Para qué usamos tus datos");
    expect(englishWordsIn(text, demoCatalogNames(), demoBrands())).toEqual([]);
    await screenshot(page, "candor-consent-center-es");
    await page.close();
  });
});
