import { createClient, type CandorClient, type CandorResult, type Token } from "../../js/src/client";
import { BASE_CSS, h } from "./dom";
import { lang, strings, type Strings } from "./i18n";

// What both components share: the endpoint, the host page's token callback (called per request,
// never stored), the language, and the three ways a load can fail shown as text, never a blank box.

/** The script's own address: served by Candor at /widget/candor.js, so /graphql is beside it. */
const SCRIPT_SRC = (document.currentScript as HTMLScriptElement | null)?.src;

type TokenSource = () => Token | Promise<Token>;

export abstract class CandorElement extends HTMLElement {
  private tokenSource?: TokenSource;
  protected readonly root: ShadowRoot;

  constructor(css: string) {
    super();
    this.root = this.attachShadow({ mode: "open" });
    this.root.append(h("style", {}, BASE_CSS + css));
    // A page may set getToken before this script defines the element: take the value over.
    if (Object.prototype.hasOwnProperty.call(this, "getToken")) {
      const source = (this as { getToken?: TokenSource }).getToken;
      delete (this as { getToken?: TokenSource }).getToken;
      this.getToken = source;
    }
  }

  /** Set by the host page: returns the person's current token; called per request, never kept. */
  get getToken(): TokenSource | undefined {
    return this.tokenSource;
  }

  set getToken(source: TokenSource | undefined) {
    this.tokenSource = source;
    this.tokenChanged();
  }

  /** A new token source (sign-in, sign-out): components that show data on their own reload. */
  protected tokenChanged(): void {}

  get locale(): string {
    return lang(this.getAttribute("locale") ?? document.documentElement.lang ?? "en");
  }

  get t(): Strings {
    return strings(this.locale);
  }

  protected get client(): CandorClient {
    const endpoint = this.getAttribute("endpoint") ?? new URL("/graphql", SCRIPT_SRC ?? location.href).href;
    return createClient({
      endpoint,
      getToken: () => this.getToken?.(),
      persistedQueries: this.hasAttribute("persisted-queries"),
    });
  }

  /** Sign in again, retry, or the server's message: what a failed load shows instead of content. */
  protected problem(result: Exclude<CandorResult<unknown>, { ok: true }>, retry: () => void): HTMLElement {
    const t = this.t;
    if (result.kind === "unauthenticated") return h("p", { role: "alert", class: "err" }, t.signIn);
    if (result.kind === "network")
      return h(
        "div",
        { role: "alert" },
        h("p", { class: "err" }, t.offline),
        h("button", { type: "button", onclick: retry }, t.retry),
      );
    return h("p", { role: "alert", class: "err" }, t.failed + result.message);
  }

  /** The message of a failed mutation, for the element next to the control that caused it. */
  protected errorText(result: Exclude<CandorResult<unknown>, { ok: true }>): string {
    const t = this.t;
    if (result.kind === "unauthenticated") return t.signIn;
    if (result.kind === "network") return t.offline;
    // The server's messages are English; the codes the components know are said in the person's language.
    if (result.kind === "userErrors") return t.codes[result.userErrors[0].code] ?? result.message;
    return result.message;
  }
}

export const percent = (share: number, locale: string) =>
  new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 0 }).format(share);

export const date = (iso: string, locale: string) =>
  new Intl.DateTimeFormat(locale, { dateStyle: "medium" }).format(new Date(iso));
