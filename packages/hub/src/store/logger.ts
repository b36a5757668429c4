/** The little the store logs: migrations applied and connection trouble. A pino logger fits. */
export interface StoreLogger {
  info(message: string): void;
  warn(message: string): void;
}
