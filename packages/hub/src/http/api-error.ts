/** An error the API returns as JSON: a stable machine code, a message for people, and the bad field if any. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const unauthorized = (message = 'authentication required: send Authorization: Bearer <api key>') =>
  new ApiError(401, 'unauthorized', message);
export const forbidden = (message: string) => new ApiError(403, 'forbidden', message);
export const notFound = (what: string, id: string) => new ApiError(404, 'not_found', `${what} "${id}" does not exist`);
