/**
 * What must never reach a log, replaced before a line is written: bearer and OAuth tokens, private keys, credentials
 * in URLs, and secret-named values in JSON or query strings.
 */
const RULES: [RegExp, string][] = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g, "[REDACTED PRIVATE KEY]"],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, "$1 [REDACTED]"],
  [/\bya29\.[A-Za-z0-9._-]+/g, "[REDACTED]"],
  [/\b(AIza[0-9A-Za-z_-]{35})\b/g, "[REDACTED]"],
  [
    /("(?:private_key|client_secret|refresh_token|access_token|id_token|password|token)"\s*:\s*")[^"]*"/gi,
    '$1[REDACTED]"',
  ],
  [/([?&](?:access_token|token|key|api_key|password|sig|signature)=)[^&\s"']+/gi, "$1[REDACTED]"],
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:)[^@\s/]+@/gi, "$1[REDACTED]@"],
];

export function redactSecrets(text: string): string {
  return RULES.reduce((out, [pattern, replacement]) => out.replace(pattern, replacement), text);
}
