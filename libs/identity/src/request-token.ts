/** The browser session cookie (contract shared with the web console): the same JWT `login` returns. */
export const SESSION_COOKIE = 'sd_session';

type Headers = Record<string, string | string[] | undefined> | undefined;

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/** One cookie's value from a `Cookie` header (undefined when absent or malformed). */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      return decodeURIComponent(value) || undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * The credential of an HTTP request (GraphQL, REST routes, WebSocket upgrades): the
 * `Authorization: Bearer` header first, then the `sd_session` cookie. `{ malformed: true }` when
 * an Authorization header is there but is not a bearer token; null when there is neither.
 */
export function requestToken(headers: Headers): string | { malformed: true } | null {
  const auth = first(headers?.authorization);
  if (auth) {
    const match = /^Bearer\s+(\S+)$/i.exec(auth);
    return match ? match[1] : { malformed: true };
  }
  return cookieValue(first(headers?.cookie), SESSION_COOKIE) ?? null;
}
