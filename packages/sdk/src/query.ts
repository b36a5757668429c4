/**
 * A query string from a typed filter object: undefined and null are left out, so callers can pass optional
 * fields straight through. Dates are sent as Unix milliseconds, which the hub accepts for every time field.
 */
export function toQueryString(query: object | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query) as [string, unknown][]) {
    if (value === undefined || value === null) continue;
    params.append(key, value instanceof Date ? String(value.getTime()) : String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}
