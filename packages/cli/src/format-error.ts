/** One readable line for an error: typed errors from vision and protocol already carry a full message. */
export function formatError(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as Error & { code?: unknown }).code;
    return typeof code === 'string' && !err.message.includes(code) ? `${err.message} [${code}]` : err.message;
  }
  return String(err);
}
