// Where the server may send events (FORWARD_ALLOWED_TARGETS): URL prefixes matched on the parsed URL's
// parts, never on its text. A text prefix lets `http://127.0.0.1.evil.com/`, `http://127.0.0.1@evil/` or
// `http://127.0.0.1:80@evil/` through; the WHATWG parser (the one fetch uses too) also folds the other
// spellings of an address (`http://2130706433/`, `http://0x7f.1/`, `http://[0:0::1]/`, upper case) into
// one form before the comparison. docs/security.md ("Server-side request forgery") says what is left.

/** One allowed prefix: a scheme, a host, a port (or any), and a path prefix. */
export interface AllowedTarget {
  /** `http:` or `https:`. */
  protocol: string;
  /** As the URL parser spells it: lower case, IPv4 dotted, IPv6 in brackets and compressed. */
  hostname: string;
  /** The port as the parser gives it ('' = the scheme's default), or null for any port. */
  port: string | null;
  /** Ends with `/`: a target's path must start with it (or equal it without the slash). */
  pathPrefix: string;
  /** As configured, for messages. */
  text: string;
}

/** The default: the loopback addresses, any port, any path (a developer's own machine only). */
export const LOOPBACK_TARGETS = [
  'http://127.0.0.1',
  'https://127.0.0.1',
  'http://localhost',
  'https://localhost',
  'http://[::1]',
  'https://[::1]',
] as const;

/** The `host[:port]` part of a URL's text (after `//`, before the path): to see whether a port is written. */
function authorityOf(text: string): string {
  const afterScheme = text.slice(text.indexOf('//') + 2);
  const end = afterScheme.search(/[/?#\\]/);
  return end < 0 ? afterScheme : afterScheme.slice(0, end);
}

/** Parses one prefix; a message saying what is wrong with it otherwise. */
export function parseAllowedTarget(text: string): AllowedTarget | string {
  if (!URL.canParse(text)) return `"${text}" is not an absolute URL`;
  const url = new URL(text);
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return `"${text}" must start with http:// or https://`;
  if (url.username !== '' || url.password !== '') return `"${text}" must not hold a user name or password`;
  if (url.search !== '' || url.hash !== '') return `"${text}" must not hold a query or a fragment`;
  // The parser drops a written default port (`:80`), so whether a port was given is read from the text.
  const portWritten = /:\d+$/.test(authorityOf(text));
  return {
    protocol: url.protocol,
    hostname: url.hostname,
    port: portWritten ? url.port : null,
    pathPrefix: url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`,
    text,
  };
}

/** Whether a parsed `target` is inside one of `allowed`. A target with credentials is never allowed. */
export function isTargetAllowed(target: URL, allowed: readonly AllowedTarget[]): boolean {
  if (target.username !== '' || target.password !== '') return false;
  return allowed.some(
    (entry) =>
      target.protocol === entry.protocol &&
      target.hostname === entry.hostname &&
      (entry.port === null || target.port === entry.port) &&
      (target.pathname.startsWith(entry.pathPrefix) || `${target.pathname}/` === entry.pathPrefix),
  );
}
