/** A zod issue's path as the hub names fields in its errors: `iceServers[0].urls`. */
export function issuePath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
}

/** The first message per field of a failed parse, keyed like the hub's error `field`. */
export function issuesByField(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): Map<string, string> {
  const byField = new Map<string, string>();
  for (const issue of error.issues) {
    const field = issuePath(issue.path);
    if (!byField.has(field)) byField.set(field, issue.message);
  }
  return byField;
}
