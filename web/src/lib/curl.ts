/** Quotes a string for POSIX shells: single quotes, with each embedded `'` written as `'\''`. */
export function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/**
 * A curl command that re-sends a raw body to this server's webhook intake. It carries no delivery id
 * (`webhook-id`, `svix-id`, `X-GitHub-Delivery`) on purpose: the original one would be answered as a
 * repeated delivery and store nothing new.
 */
export function curlCommand(origin: string, raw: string): string {
  const url = new URL('/webhooks/event', origin).toString();
  return `curl -sS -X POST ${shellQuote(url)} -H 'content-type: application/json' --data-binary ${shellQuote(raw)}`;
}
