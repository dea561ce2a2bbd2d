// Show at a counter, step 3: the proof as QR code(s) for the counter's scanner, what it
// disclosed, and sending it online when the request allows. A proof too large for one
// code is a short sequence: one code at a time, large, moving on by itself every few
// seconds (a counter's scanner reads them in any order), or with the buttons.
import { html, nothing, type TemplateResult } from "lit";
import { disclosedLabels } from "../consent";
import { ScreenElement, svgUrl } from "./screen";

/** How long each code of a sequence stays on screen. */
const CYCLE_MS = 3000;

export class ProofScreen extends ScreenElement {
  static properties = {
    index: { state: true },
  };

  /** The code shown, in a sequence. */
  declare index: number;

  private timer: number | undefined;

  constructor() {
    super();
    this.index = 0;
  }

  private get codes(): number {
    return this.state.proof?.codes.length ?? 0;
  }

  connectedCallback(): void {
    super.connectedCallback();
    if (this.codes > 1) this.timer = window.setInterval(() => this.step(1), CYCLE_MS);
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.timer !== undefined) window.clearInterval(this.timer);
    this.timer = undefined;
  }

  private step(by: number): void {
    const n = this.codes;
    if (n > 0) this.index = (this.index + by + n) % n;
  }

  render(): TemplateResult | typeof nothing {
    const p = this.state.proof;
    if (!p) return nothing;
    const labels = disclosedLabels(this.state.request, p.disclosed, this.locale).join(", ");
    const i = Math.min(this.index, p.codes.length - 1);
    const code = p.codes[i];
    const many = p.codes.length > 1;
    return html`<section id="proof" class="proof">
      <h1 class="visually-hidden">${this.tr("present.title")}</h1>
      <h2 tabindex="-1">${this.tr("proof.title")}</h2>
      <p>${this.tr("proof.body")}</p>
      <figure>
        <img id="proof-qr" class="qr" data-part=${i + 1} data-parts=${p.codes.length} src=${svgUrl(code.svg)} alt=${this.tr("proof.alt")} />
        ${many ? html`<figcaption id="proof-part" aria-live="polite">${this.tr("proof.part", { i: i + 1, n: p.codes.length })}</figcaption>` : nothing}
      </figure>
      <p id="proof-disclosed">${this.tr("proof.shared", { list: labels })}</p>
      <div class="actions">
        ${many
          ? html`<button id="proof-prev" class="secondary" @click=${() => this.step(-1)}>${this.tr("proof.prev")}</button>
              <button id="proof-next" class="secondary" @click=${() => this.step(1)}>${this.tr("proof.next")}</button>`
          : nothing}
        ${p.can_send ? html`<button id="proof-send" class="secondary" ?disabled=${this.state.busy} @click=${() => this.store.sendOnline()}>${this.tr("proof.send")}</button>` : nothing}
        <button id="proof-done" class="primary" @click=${() => this.store.openHistory()}>${this.tr("common.done")}</button>
      </div>
    </section>`;
  }
}

customElements.define("civitas-proof", ProofScreen);
