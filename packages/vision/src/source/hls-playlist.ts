/**
 * Whether an HLS playlist is finished: its media playlist carries `#EXT-X-ENDLIST` (RFC 8216 §4.3.3.4),
 * as every VOD playlist and every live event that has ended does. ffmpeg exits cleanly both at the end of
 * such a playlist and when a live playlist cannot be reloaded, so the exit alone cannot tell a finished
 * stream (stop) from a broken one (reconnect); the playlist can.
 *
 * For a master playlist the first variant is checked. Any failure to fetch or read answers false, which
 * keeps a live source reconnecting as before.
 */
export async function hlsPlaylistHasEnded(url: string, timeoutMs = 5000): Promise<boolean> {
  try {
    const master = await fetchPlaylist(url, timeoutMs);
    if (!master.text.includes('#EXT-X-STREAM-INF')) return hasEndList(master.text);
    const variant = firstVariantUri(master.text);
    if (variant === undefined) return false;
    return hasEndList((await fetchPlaylist(new URL(variant, master.url).href, timeoutMs)).text);
  } catch {
    return false;
  }
}

const hasEndList = (playlist: string) => /^#EXT-X-ENDLIST\s*$/m.test(playlist);

function firstVariantUri(master: string): string | undefined {
  const lines = master.split(/\r?\n/).map((line) => line.trim());
  const tag = lines.findIndex((line) => line.startsWith('#EXT-X-STREAM-INF'));
  return lines.slice(tag + 1).find((line) => line !== '' && !line.startsWith('#'));
}

async function fetchPlaylist(url: string, timeoutMs: number): Promise<{ text: string; url: string }> {
  // fetch() refuses URLs with credentials; send them as Basic authentication, as ffmpeg would first try.
  const target = new URL(url);
  const headers: Record<string, string> = {};
  if (target.username !== '' || target.password !== '') {
    const userinfo = `${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}`;
    headers.authorization = `Basic ${Buffer.from(userinfo).toString('base64')}`;
    target.username = '';
    target.password = '';
  }
  const response = await fetch(target, { headers, signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  // Resolve variant URIs against the final URL: the server may have redirected.
  return { text: await response.text(), url: response.url || target.href };
}
