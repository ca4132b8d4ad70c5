/**
 * Headers on every response (docs/web.md, "Safety"): no script at all, no framing, no Referer (so the token in
 * the page's address never reaches an app store or any other site), and no caching of pages that carry a token.
 */

/** CSP Level 3: our own stylesheet, inline SVG QR codes, forms posting to ourselves, nothing else. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'none'",
  "object-src 'none'",
  "img-src 'self' data:",
  "style-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

export function securityHeaders(https: boolean): Record<string, string> {
  return {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    // RFC 6797: only over https; not includeSubDomains, which would bind the admin's other hosts too.
    ...(https ? { "strict-transport-security": "max-age=31536000" } : {}),
  };
}

/** XEP-0401 §4 landing pages: clients and web clients may read the invite URI from the `Link` header. */
export function inviteLinkHeaders(uri: string): Record<string, string> {
  return {
    link: `<${uri}>; rel="alternate"`,
    "access-control-allow-origin": "*",
    "access-control-expose-headers": "Link",
  };
}
