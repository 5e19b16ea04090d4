import {
  AcknowledgeBreachNoticeDocument,
  ConsentHistoryDocument,
  ConsentScreenDocument,
  PrivacyCenterDocument,
  SetPersonalizationLevelDocument,
  SubmitDataRequestDocument,
  UpdateConsentsDocument,
  type ConsentHistoryQuery,
  type ConsentRowFragment,
  type ConsentScreenQuery,
  type PrivacyCenterQuery,
} from "../../js/src/generated/graphql";
import type { CandorResult } from "../../js/src/client";
import { CandorElement, date } from "./base";
import { h, uid } from "./dom";

// <candor-consent-center locale="en|es">: the person's privacy center. Every section is read from
// the three queries of clients/js/operations; every change goes through its mutation and is
// answered in place (a userError beside the control that caused it).

type Me = NonNullable<ConsentScreenQuery["me"]>;
type Center = NonNullable<PrivacyCenterQuery["me"]>;
type History = NonNullable<ConsentHistoryQuery["me"]>["consentHistory"];

const CSS = `
section{margin:1em 0}
.row{display:flex;gap:.8em;align-items:flex-start;justify-content:space-between}
.row label{font-weight:600}
input[type=checkbox]{width:1.3em;height:1.3em;accent-color:var(--candor-accent,#0b57d0)}
code{word-break:break-all;font-size:.85em}
fieldset{border:0;padding:0;margin:0}
a{color:var(--candor-accent,#0b57d0)}
`;

export class CandorConsentCenter extends CandorElement {
  private readonly main = h("div", { "aria-live": "polite", "aria-busy": "true" });

  constructor() {
    super(CSS);
    this.root.append(this.main);
  }

  private pending?: ReturnType<typeof setTimeout>;

  connectedCallback() {
    // The page usually sets getToken in the script after ours: load once it has, or on the next task.
    if (this.getToken) void this.load();
    else this.pending = setTimeout(() => this.load(), 0);
  }

  protected override tokenChanged(): void {
    clearTimeout(this.pending);
    if (this.isConnected) void this.load();
  }

  async load(): Promise<void> {
    clearTimeout(this.pending);
    const locale = this.locale;
    this.main.setAttribute("aria-busy", "true");
    this.main.replaceChildren(h("p", {}, this.t.loading));
    const [screen, center, history] = await Promise.all([
      this.client.request(ConsentScreenDocument, { locale }),
      this.client.request(PrivacyCenterDocument, { locale }),
      this.client.request(ConsentHistoryDocument, { first: 20, locale }),
    ]);
    this.main.setAttribute("aria-busy", "false");
    const failed = [screen, center, history].find((r) => !r.ok) as Exclude<CandorResult<unknown>, { ok: true }>;
    if (failed) {
      this.main.replaceChildren(
        h("h2", {}, this.t.center),
        this.problem(failed, () => this.load()),
      );
      return;
    }
    const me = screen.ok ? screen.data.me : null;
    const rest = center.ok ? center.data.me : null;
    const events = history.ok ? history.data.me?.consentHistory : null;
    if (!me || !rest || !events) {
      this.main.replaceChildren(h("h2", {}, this.t.center), h("p", { role: "alert", class: "err" }, this.t.signIn));
      return;
    }
    const levels = screen.ok ? screen.data.personalizationLevels : [];
    this.main.replaceChildren(
      h("h2", {}, this.t.center),
      ...this.gpc(me),
      this.levels(me, levels),
      this.purposes(me),
      this.changes(rest),
      this.dataUse(rest),
      this.history(events),
      this.requests(rest),
      this.breaches(rest),
      this.section(this.t.gpp, h("code", {}, me.gppString)),
    );
  }

  private section(title: string, ...content: Array<Node | null>): HTMLElement {
    const id = uid("candor-section");
    return h("section", { "aria-labelledby": id }, h("h3", { id }, title), ...content);
  }

  private gpc(me: Me): HTMLElement[] {
    const sent = (navigator as Navigator & { globalPrivacyControl?: boolean }).globalPrivacyControl === true;
    return [
      sent ? h("p", { class: "box" }, this.t.gpcOn) : null,
      me.globalPrivacyControl ? h("p", { class: "muted" }, this.t.gpcRecorded) : null,
    ].filter((p): p is HTMLParagraphElement => p !== null);
  }

  /** Runs a mutation from a control; reloads on success, or puts the error beside the control. */
  private async change(control: HTMLElement, status: HTMLElement, run: () => Promise<CandorResult<unknown>>) {
    control.setAttribute("aria-disabled", "true");
    const result = await run();
    control.removeAttribute("aria-disabled");
    if (result.ok) {
      // The section is drawn again: the keyboard goes back to the same control, the note beside it.
      const key = control.dataset.focus;
      await this.load();
      const again = this.main.querySelector<HTMLElement>(`[data-focus="${key}"]`);
      again
        ?.closest("section")
        ?.querySelector("h3")
        ?.after(h("p", { role: "status", class: "ok" }, this.t.saved));
      again?.focus();
      return;
    }
    status.className = "err";
    status.textContent = this.errorText(result);
  }

  private levels(me: Me, levels: ConsentScreenQuery["personalizationLevels"]): HTMLElement {
    const status = h("p", { id: uid("candor-status"), role: "status" });
    const name = uid("candor-level");
    const fieldset = h(
      "fieldset",
      { "aria-describedby": status.id },
      h("legend", { class: "sr" }, this.t.levels),
      ...levels.map((level) => {
        const id = uid("candor-level");
        const radio = h("input", { type: "radio", name, id, "data-focus": `level-${level.level}` });
        radio.checked = me.personalizationLevel === level.level;
        radio.addEventListener("change", () =>
          this.change(radio, status, () =>
            this.client.request(SetPersonalizationLevelDocument, {
              input: { level: level.level, channel: "WEB", locale: this.locale },
              locale: this.locale,
            }),
          ),
        );
        return h(
          "div",
          {},
          radio,
          " ",
          h("label", { for: id }, level.name),
          h("div", { class: "muted" }, level.description),
        );
      }),
    );
    return this.section(this.t.levels, fieldset, status);
  }

  private purposes(me: Me): HTMLElement {
    return this.section(this.t.purposes, ...me.consents.map((consent) => this.purpose(consent)));
  }

  private purpose(consent: ConsentRowFragment): HTMLElement {
    const t = this.t;
    const id = uid("candor-purpose");
    const status = h("p", { id: uid("candor-status"), role: "status" });
    const state = h("span", {}, `${consent.status === "GRANTED" ? t.on : t.off} — ${t.source[consent.source]}`);
    const p = consent.purpose;
    if (p.defaultMode === "ESSENTIAL")
      return h(
        "div",
        { class: "box", "data-purpose": p.key },
        h("strong", {}, p.name),
        h("p", {}, p.description, " ", p.benefit),
        h("p", { class: "muted" }, t.essential),
      );
    const toggle = h("input", {
      type: "checkbox",
      role: "switch",
      id,
      "data-focus": `purpose-${p.key}`,
      "aria-describedby": `${id}-d ${status.id}`,
    });
    toggle.checked = consent.status === "GRANTED";
    toggle.addEventListener("change", () =>
      this.change(toggle, status, () =>
        this.client.request(UpdateConsentsDocument, {
          input: {
            changes: [{ purpose: consent.purpose.key, granted: toggle.checked }],
            channel: "WEB",
            locale: this.locale,
          },
          locale: this.locale,
        }),
      ).then(() => {
        if (status.className === "err") toggle.checked = !toggle.checked;
      }),
    );
    return h(
      "div",
      { class: "box", "data-purpose": p.key },
      h("div", { class: "row" }, h("label", { for: id }, p.name), toggle),
      h(
        "div",
        { id: `${id}-d` },
        h("p", {}, p.description, " ", p.benefit),
        p.dataCategories.length
          ? h("p", { class: "muted" }, t.uses + p.dataCategories.map((c) => c.name).join(", "))
          : null,
        h("p", { class: "muted" }, state),
      ),
      status,
    );
  }

  private changes(me: Center): HTMLElement {
    const diff = me.policyChangesSinceConsent;
    return this.section(
      this.t.changed,
      diff?.changes.length
        ? h("ul", {}, ...diff.changes.map((c) => h("li", {}, c.text)))
        : h("p", { class: "muted" }, this.t.noChanges),
    );
  }

  private dataUse(me: Center): HTMLElement {
    const t = this.t;
    return this.section(
      t.used,
      me.dataUse.length
        ? h(
            "ul",
            {},
            ...me.dataUse.map((use) =>
              h(
                "li",
                {},
                h("strong", {}, use.dataCategory.name),
                ": ",
                t.usedRow(use.decisions, use.purposes.map((p) => p.name).join(", ")),
                use.sharedWith.length ? `. ${t.sharedWith}${use.sharedWith.map((p) => p.name).join(", ")}` : "",
              ),
            ),
          )
        : h("p", { class: "muted" }, t.none2),
    );
  }

  private history(history: History): HTMLElement {
    const t = this.t;
    const rows = history.edges.map(({ node }) => {
      const receipt = node.receipt
        ? h(
            "a",
            {
              href: URL.createObjectURL(new Blob([node.receipt.jws], { type: "application/jose" })),
              download: `candor-receipt-${node.receipt.id}.jws`,
            },
            t.receipt,
          )
        : null;
      const what = `${date(node.occurredAt, this.locale)}: ${node.purpose.name} — ${node.status === "GRANTED" ? t.granted : t.denied} (${t.source[node.source]})`;
      return h("li", { "data-event": node.id }, what, receipt ? " · " : "", receipt);
    });
    return this.section(t.history, rows.length ? h("ul", {}, ...rows) : h("p", { class: "muted" }, t.none2));
  }

  private requests(me: Center): HTMLElement {
    const t = this.t;
    const status = h("p", { id: uid("candor-status"), role: "status" });
    const kindId = uid("candor-kind");
    const detailsId = uid("candor-details");
    const kind = h(
      "select",
      { id: kindId },
      ...Object.entries(t.kinds).map(([k, label]) => h("option", { value: k }, label)),
    );
    const details = h("textarea", { id: detailsId, rows: 2 });
    const submit = h("button", { type: "submit", "data-focus": "request", "aria-describedby": status.id }, t.submit);
    const form = h(
      "form",
      {},
      h("label", { for: kindId }, t.kind),
      " ",
      kind,
      h("div", {}, h("label", { for: detailsId }, t.details)),
      details,
      h("div", {}, submit),
      status,
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.change(submit, status, () =>
        this.client.request(SubmitDataRequestDocument, {
          input: { kind: kind.value as never, details: details.value || undefined, locale: this.locale },
        }),
      );
    });
    const list = me.dataRequests.map((r) =>
      h(
        "li",
        {},
        `${t.kinds[r.kind]}: ${t.statuses[r.status]} (${date(r.receivedAt, this.locale)}; ${t.due}${date(r.dueAt, this.locale)})`,
        r.statusReason ? ` — ${r.statusReason}` : "",
      ),
    );
    return this.section(t.requests, list.length ? h("ul", {}, ...list) : null, form);
  }

  private breaches(me: Center): HTMLElement {
    const t = this.t;
    if (!me.breachNotices.length) return this.section(t.breaches, h("p", { class: "muted" }, t.noBreaches));
    return this.section(
      t.breaches,
      ...me.breachNotices.map((notice) => {
        const status = h("p", { id: uid("candor-status"), role: "status" });
        const ack = h(
          "button",
          { type: "button", "data-focus": `breach-${notice.id}`, "aria-describedby": status.id },
          t.acknowledge,
        );
        ack.disabled = Boolean(notice.acknowledgedAt);
        if (notice.acknowledgedAt) ack.textContent = t.acknowledged;
        ack.addEventListener("click", () =>
          this.change(ack, status, () =>
            this.client.request(AcknowledgeBreachNoticeDocument, { input: { id: notice.id } }),
          ),
        );
        const i = notice.incident;
        return h(
          "div",
          { class: "box" },
          h("strong", {}, i.title),
          h("p", {}, i.description),
          h("p", {}, i.whatWeAreDoing),
          h("p", {}, i.whatYouCanDo),
          h("p", { class: "muted" }, notice.affectedDataCategories.map((c) => c.name).join(", ")),
          ack,
          status,
        );
      }),
    );
  }
}
