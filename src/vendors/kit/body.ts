/** A JSON request body: empty text reads as `empty`; malformed JSON throws the dialect's own error. */
export function parseJsonBody(raw: string, malformed: () => Error, empty: unknown = undefined): unknown {
  const text = raw.trim();
  if (!text) return empty;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw malformed();
  }
}
