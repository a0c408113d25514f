// Everything about paying, in one module: the test cards and what a booking request carries to pay.
// The card goes to the payment simulator's `POST /payments/tokens` only; the booking carries the
// single-use `payment_token` it answers, never the card.
import { api, unwrap, type Schemas } from "./client";

export interface CardForm {
  number: string;
  expiry: string; // MM/YY
  cvc: string;
}

/** The simulator's test cards (docs/payments.md): what each does when paid with. */
export const TEST_CARDS: { number: string; outcome: string }[] = [
  { number: "4242 4242 4242 4242", outcome: "approved" },
  { number: "5555 5555 5555 4444", outcome: "approved" },
  { number: "4000 0000 0000 0002", outcome: "card_declined" },
  { number: "4000 0000 0000 9995", outcome: "insufficient_funds" },
  { number: "4000 0000 0000 0069", outcome: "expired_card" },
];

export function parseExpiry(expiry: string): { month: number; year: number } | null {
  const match = /^\s*(\d{1,2})\s*\/\s*(\d{2}|\d{4})\s*$/.exec(expiry);
  if (!match) return null;
  const month = Number(match[1]);
  const year = Number(match[2]) < 100 ? 2000 + Number(match[2]) : Number(match[2]);
  return month >= 1 && month <= 12 ? { month, year } : null;
}

export function luhn(number: string): boolean {
  const digits = number.replace(/[\s-]/g, "");
  if (!/^\d{12,19}$/.test(digits)) return false;
  let sum = 0;
  [...digits].reverse().forEach((d, i) => {
    let v = Number(d);
    if (i % 2 === 1) {
      v *= 2;
      if (v > 9) v -= 9;
    }
    sum += v;
  });
  return sum % 10 === 0;
}

/** What the booking request carries to pay: a fresh single-use token for the card. */
export async function paymentPart(card: CardForm): Promise<Pick<Schemas["BookingIn"], "payment_token">> {
  const expiry = parseExpiry(card.expiry);
  if (!expiry) throw new Error("invalid expiry");
  const token = unwrap(
    await api.POST("/payments/tokens", {
      body: { number: card.number, exp_month: expiry.month, exp_year: expiry.year, cvc: card.cvc.trim() },
    }),
  );
  return { payment_token: token.token };
}
