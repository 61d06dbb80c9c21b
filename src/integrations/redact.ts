/**
 * Broker URLs for logs and `/status`, with the password hidden. Kept apart from the
 * MQTT client so `/status` can show it before that library is loaded.
 * @module
 */

/** The URL with any password replaced by `***`. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch (error) {
    return `(invalid URL: ${(error as Error).message})`;
  }
}
