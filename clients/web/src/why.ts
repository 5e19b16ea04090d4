import {
  HideSponsorDocument,
  SetRecommenderModeDocument,
  UpdateConsentsDocument,
  WhyDocument,
  type WhyQuery,
} from "../../js/src/generated/graphql";
import type { CandorResult } from "../../js/src/client";
import { CandorElement, percent } from "./base";
import { h, uid } from "./dom";

// <candor-why surface="…" item="…" locale="en|es">: a button that opens a modal dialog (native
// <dialog>: focus kept inside, Escape closes, focus returns to the button) explaining why the item
// was shown, with each control wired to its mutation.

type Decision = NonNullable<WhyQuery["whyAmISeeing"]>;
type Control = Decision["explanation"]["controls"][number];
const WIRED = ["WITHDRAW_CONSENT", "SWITCH_TO_NON_PROFILING", "HIDE_SPONSOR"];

const CSS = `
:host{display:inline-block}
dialog{max-width:min(36rem,94vw);border:1px solid var(--candor-border,#8a8a8a);border-radius:var(--candor-radius,8px);background:var(--candor-bg,#fff);color:inherit;padding:1rem 1.25rem}
dialog::backdrop{background:rgb(0 0 0/.45)}
.close{float:right}
li{margin:.25em 0}
.control{margin:.4em 0}
`;

export class CandorWhy extends CandorElement {
  private readonly button: HTMLButtonElement;
  private readonly dialog: HTMLDialogElement;
  private readonly body: HTMLElement;
  private readonly titleId = uid("candor-why-title");

  constructor() {
    super(CSS);
    this.button = h("button", {
      type: "button",
      "aria-haspopup": "dialog",
      part: "button",
      onclick: () => this.open(),
    });
    this.body = h("div", { "aria-live": "polite" });
    this.dialog = h(
      "dialog",
      { "aria-labelledby": this.titleId, part: "dialog", onclose: () => this.button.focus() },
      h("button", { type: "button", class: "close", onclick: () => this.dialog.close() }),
      this.body,
    );
    this.root.append(this.button, this.dialog);
  }

  static get observedAttributes() {
    return ["locale"];
  }

  connectedCallback() {
    this.label();
  }

  attributeChangedCallback() {
    this.label();
  }

  private label() {
    this.button.textContent = this.t.why;
    (this.dialog.firstChild as HTMLElement).textContent = this.t.close;
  }

  async open(): Promise<void> {
    if (!this.dialog.open) this.dialog.showModal();
    this.body.replaceChildren(h("p", { id: this.titleId, tabindex: "-1" }, this.t.loading));
    const result = await this.client.request(WhyDocument, {
      surface: this.getAttribute("surface") ?? "",
      item: this.getAttribute("item") ?? "",
      locale: this.locale,
    });
    if (!result.ok) {
      this.body.replaceChildren(
        h("h2", { id: this.titleId }, this.t.why),
        this.problem(result, () => this.open()),
      );
      return;
    }
    const decision = result.data.whyAmISeeing;
    if (!decision) {
      this.body.replaceChildren(h("h2", { id: this.titleId }, this.t.why), h("p", {}, this.t.none));
      return;
    }
    this.body.replaceChildren(...this.explanation(decision));
    (this.root.getElementById(this.titleId) as HTMLElement).focus();
  }

  private explanation(decision: Decision): HTMLElement[] {
    const t = this.t;
    const { explanation: x, sponsor } = decision;
    // Requests for correction or deletion need a form: the privacy center has it.
    const controls = x.controls.filter((c) => WIRED.includes(c.kind));
    const list = (title: string, items: string[]) =>
      items.length ? [h("h3", {}, title), h("ul", {}, ...items.map((item) => h("li", {}, item)))] : [];
    return [
      h("h2", { id: this.titleId, tabindex: "-1" }, x.headline),
      sponsor ? h("p", {}, t.sponsor(sponsor.onBehalfOf, sponsor.paidBy)) : null,
      ...list(
        t.factors,
        x.factors.map(
          ({ text, factor }) =>
            `${percent(factor.share, this.locale)} — ${text} (${factor.direction === "LOWERED" ? t.lowered : t.raised})`,
        ),
      ),
      ...list(
        t.dataUsed,
        x.dataUsed.map((c) => c.name),
      ),
      ...list(
        t.partners,
        x.partnersInvolved.map((p) => p.name),
      ),
      x.counterfactual ? h("p", {}, x.counterfactual) : null,
      ...(controls.length ? [h("h3", {}, t.controls), ...controls.map((c) => this.control(decision, c))] : []),
    ].filter((el): el is HTMLElement => el !== null);
  }

  private control(decision: Decision, control: Control): HTMLElement {
    const t = this.t;
    const status = h("p", { id: uid("candor-control"), role: "status" });
    const button = h("button", { type: "button", "aria-describedby": status.id }, control.label);
    const done = () => {
      button.disabled = true;
      button.textContent = control.label + t.alreadyOn;
    };
    if (control.active) done();
    button.addEventListener("click", async () => {
      button.disabled = true;
      const result = await this.apply(decision, control);
      if (result?.ok) {
        done();
        status.className = "ok";
        status.textContent = t[control.kind as "WITHDRAW_CONSENT" | "SWITCH_TO_NON_PROFILING" | "HIDE_SPONSOR"];
      } else if (result) {
        button.disabled = false;
        status.className = "err";
        status.textContent = this.errorText(result);
      }
      // Keep the keyboard where it was (a disabled button drops focus to <body>).
      (button.disabled ? status : button).focus();
    });
    status.tabIndex = -1;
    return h("div", { class: "control" }, button, status);
  }

  private apply(decision: Decision, control: Control): Promise<CandorResult<unknown>> | null {
    switch (control.kind) {
      case "WITHDRAW_CONSENT":
        return this.client.request(UpdateConsentsDocument, {
          input: {
            changes: [{ purpose: control.purpose!.key, granted: false }],
            channel: "WEB",
            locale: this.locale,
          },
          locale: this.locale,
        });
      case "SWITCH_TO_NON_PROFILING":
        return this.client.request(SetRecommenderModeDocument, {
          input: { surface: decision.surface.key, mode: "NON_PROFILING" },
        });
      case "HIDE_SPONSOR":
        return this.client.request(HideSponsorDocument, { input: { sponsor: control.sponsor! } });
      default:
        return null;
    }
  }
}
