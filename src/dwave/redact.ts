/**
 * Keeping secrets out of anything printed: user:password in URLs, and a token (or password) echoed
 * back by a server in any of the encodings a careless server uses (any letter case, URL-encoded, hex,
 * base64 or base64url, also inside a longer base64 string).
 */

/** `http://user:pass@host/x` -> `http://***@host/x`, for every URL in `text` (as proxies are shown). */
export function maskUrlCredentials(text: string): string {
  // Greedy up to the last '@' of the authority, as the WHATWG parser reads `user:p@ss@host`.
  return text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/?#\\]*@/gi, '$1***@');
}

/** The password (or bare user) of a URL's userinfo, decoded; undefined when it has none. */
export function urlSecret(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const u = new URL(url);
    const secret = u.password || u.username;
    return secret ? decodeURIComponent(secret) : undefined;
  } catch {
    return undefined;
  }
}

/** Encoded variants shorter than this are not searched for: they would mangle ordinary words. */
const MIN_VARIANT = 4;

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The characters of base64(x) that depend on `secret` alone when `secret` starts at byte offset
 * `shift` (0, 1, 2) of x: what shows up when the secret is base64-encoded inside a longer string.
 */
function base64Core(secret: Buffer, shift: number): string {
  const enc = Buffer.concat([Buffer.alloc(shift), secret]).toString('base64').replace(/=+$/, '');
  const first = Math.ceil((8 * shift) / 6);
  const last = Math.floor((8 * (shift + secret.length) - 6) / 6);
  return enc.slice(first, last + 1);
}

/**
 * `secret` as a pattern where every character may also be percent-encoded (a URL-encoded echo, whole
 * or in part; a space may be '+'). Used case-insensitively, so any letter case matches too.
 */
function literalPattern(secret: string): string {
  return [...secret]
    .map((ch) => {
      const pct = [...Buffer.from(ch, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
      return `(?:${escapeRegExp(ch)}|${pct}${ch === ' ' ? '|\\+' : ''})`;
    })
    .join('');
}

/** Two regular expressions matching every encoding of `secret`: one case-insensitive, one exact (base64). */
function patterns(secret: string): { anyCase: RegExp; exact?: RegExp } {
  const hex = Buffer.from(secret).toString('hex');
  const anyCase = new RegExp([literalPattern(secret), ...(hex.length >= MIN_VARIANT ? [hex] : [])].join('|'), 'gi');
  const exact = new Set<string>();
  for (const form of new Set([secret, secret.toLowerCase(), secret.toUpperCase()])) {
    const bytes = Buffer.from(form, 'utf8');
    for (let shift = 0; shift < 3; shift++) {
      const core = base64Core(bytes, shift);
      exact.add(core);
      exact.add(core.replace(/\+/g, '-').replace(/\//g, '_'));
    }
  }
  const list = [...exact].filter((s) => s.length >= MIN_VARIANT).sort((a, b) => b.length - a.length);
  // At the end of a base64 string, the last partial character and the padding go too.
  return { anyCase, exact: list.length ? new RegExp(`(?:${list.map(escapeRegExp).join('|')})(?:[A-Za-z0-9+/_-]{0,2}={1,2})?`, 'g') : undefined };
}

/** `text` with every listed secret, in any of its encodings, replaced by `***`. */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret) continue;
    const { anyCase, exact } = patterns(secret);
    out = out.replace(anyCase, '***');
    if (exact) out = out.replace(exact, '***');
  }
  return out;
}
