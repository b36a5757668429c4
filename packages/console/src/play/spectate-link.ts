/** `/play/:sessionId?spectate=<token>`: the same page, view only, with a token that may only watch that session. */
export function spectateLink(origin: string, sessionId: string, token: string): string {
  return `${origin}/play/${encodeURIComponent(sessionId)}?spectate=${encodeURIComponent(token)}`;
}

/** The spectate token of a player page's address, if it has one. */
export function spectateTokenOf(search: string): string | undefined {
  const token = new URLSearchParams(search).get('spectate');
  return token ? token : undefined;
}

/** Whether this address is a spectate link (it opens without signing in). */
export function isSpectateLink(location: { pathname: string; search: string }): boolean {
  return /^\/play\/[^/]+\/?$/.test(location.pathname) && spectateTokenOf(location.search) !== undefined;
}
