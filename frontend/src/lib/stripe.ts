// Stripe.js, only when the server serves a publishable key (GET /config): the script is added to the page
// on first use, from js.stripe.com (which the daemon's CSP admits only then), never bundled or preloaded.
// The types are the small part of Stripe.js's documented API the card deposit uses.

export interface StripePaymentElement {
  mount(el: HTMLElement): void;
  destroy(): void;
}

export interface StripeElements {
  create(type: "payment"): StripePaymentElement;
}

export interface StripeConfirmResult {
  error?: { message?: string };
  paymentIntent?: { id: string; status: string };
}

export interface StripeJs {
  elements(opts: { clientSecret: string }): StripeElements;
  confirmPayment(opts: { elements: StripeElements; redirect: "if_required"; confirmParams?: { return_url?: string } }): Promise<StripeConfirmResult>;
}

export type StripeLoader = (publishableKey: string) => Promise<StripeJs>;

export const STRIPE_JS_URL = "https://js.stripe.com/v3/";

let loading: Promise<StripeJs> | null = null;

/** Adds Stripe.js to the page once and returns Stripe(publishableKey). */
export const loadStripeJs: StripeLoader = (publishableKey) => {
  loading ??= new Promise<StripeJs>((resolve, reject) => {
    const script = document.createElement("script");
    script.src = STRIPE_JS_URL;
    script.async = true;
    script.onload = () => {
      const factory = (window as unknown as { Stripe?: (key: string) => StripeJs }).Stripe;
      if (factory) resolve(factory(publishableKey));
      else reject(new Error("Stripe.js did not load"));
    };
    script.onerror = () => {
      loading = null;
      reject(new Error("Stripe.js could not be loaded"));
    };
    document.head.appendChild(script);
  });
  return loading;
};
