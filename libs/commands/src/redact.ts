/**
 * Belt and braces: a script that echoes a secret it was given (IPMI_PASSWORD under `set -x`,
 * say) does not get it into condition records, logs or live output.
 */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret) out = out.split(secret).join('[redacted]');
  }
  return out;
}
