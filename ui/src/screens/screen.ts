// What every screen element shares: it renders into the light DOM (the global
// stylesheet applies; WebDriver and screen readers see plain elements), re-renders when
// the store changes, translates with the store's locale, and puts the focus on its
// heading when it appears (each navigation makes a fresh screen element).
import { LitElement } from "lit";
import { type Locale, t } from "../i18n";
import { store } from "../session";
import { type SessionState, type Store, StoreController } from "../store";

/** The data: URL of an SVG image (the CSP allows data: images, not inline markup). */
export function svgUrl(svg: string): string {
  return `data:image/svg+xml;base64,${btoa(svg)}`;
}

/** The value of the input, textarea or select an event came from. */
export function valueOf(e: Event): string {
  return (e.target as HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement).value;
}

/** Whether the checkbox an event came from is ticked. */
export function checkedOf(e: Event): boolean {
  return (e.target as HTMLInputElement).checked;
}

/** The file chosen in the file input an event came from. */
export function fileOf(e: Event): File | undefined {
  return (e.target as HTMLInputElement).files?.[0];
}

/** A screen (or a part of one with its own state, such as the consent form). */
export abstract class ScreenElement extends LitElement {
  protected readonly store: Store = store;

  constructor() {
    super();
    new StoreController(this, store);
  }

  protected createRenderRoot(): HTMLElement {
    return this;
  }

  /** The element's class: "screen" directly in `main`, "screen-part" inside a screen
   * (styles.css gives neither a box of its own). */
  protected readonly boxClass: string = "screen";

  connectedCallback(): void {
    super.connectedCallback();
    this.classList.add(this.boxClass);
  }

  protected firstUpdated(): void {
    this.querySelector<HTMLElement>("h1[tabindex], h2[tabindex]")?.focus();
  }

  protected get state(): Readonly<SessionState> {
    return this.store.state;
  }

  protected get locale(): Locale {
    return this.store.state.locale;
  }

  protected tr(key: string, params: Record<string, string | number> = {}): string {
    return t(this.store.state.locale, key, params);
  }
}

/** Submits a form without reloading the page. */
export function onSubmit(action: () => unknown): (e: Event) => void {
  return (e: Event) => {
    e.preventDefault();
    void action();
  };
}
