const USERINFO_WITH_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/)([^/\s@:]*):([^/\s@]*)@/gi;
const USERINFO_WITHOUT_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/)([^/\s@:]+)@/gi;
const SECRET_QUERY_PARAMETER =
  /([?&](?:password|passwd|pwd|pass|token|access_token|auth|key|apikey|api_key|secret|signature|sig)=)[^&\s"']*/gi;

/**
 * Hide credentials in any text that may contain URLs (a source, an ffmpeg log line): the password
 * of `scheme://user:password@host`, a bare `scheme://token@host`, and secret-looking query parameters.
 * The user name stays visible because it helps to tell cameras apart and is rarely the secret part.
 */
export function redactCredentials(text: string): string {
  return text
    .replace(USERINFO_WITH_PASSWORD, '$1$2:***@')
    .replace(USERINFO_WITHOUT_PASSWORD, '$1***@')
    .replace(SECRET_QUERY_PARAMETER, '$1***');
}
