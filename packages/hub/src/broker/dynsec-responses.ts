/** One answer of mosquitto's dynamic security plugin: `{"responses":[{command, error?, data?, correlationData?}]}`. */
export interface DynsecResponse {
  command: string;
  error?: string;
  data?: unknown;
  correlationData?: string;
}

function asResponse(value: unknown): DynsecResponse | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { command, error, data, correlationData } = value as Record<string, unknown>;
  if (typeof command !== 'string') return undefined;
  if (error !== undefined && typeof error !== 'string') return undefined;
  if (correlationData !== undefined && typeof correlationData !== 'string') return undefined;
  return { command, ...(error === undefined ? {} : { error }), data, ...(correlationData === undefined ? {} : { correlationData }) };
}

/** The well-formed answers in a response payload; anything malformed is dropped rather than thrown. */
export function parseDynsecResponses(payload: Buffer | string): DynsecResponse[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload.toString());
  } catch {
    return [];
  }
  const responses = (parsed as { responses?: unknown } | null)?.responses;
  if (!Array.isArray(responses)) return [];
  return responses.map(asResponse).filter((r): r is DynsecResponse => r !== undefined);
}
