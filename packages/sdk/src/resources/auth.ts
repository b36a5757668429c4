import {
  LoginResponseSchema,
  MeResponseSchema,
  type MeResponse,
  SetupResponseSchema,
  SetupStatusSchema,
  type SetupStatus,
  type LoginRequest,
  type LoginResponse,
  type SetupRequest,
  type SetupResponse,
} from '@sightline/protocol';
import type { RequestOptions, Transport } from '../transport.js';

export class AuthResource {
  constructor(private readonly transport: Transport) {}

  /** Creates the first admin user and an admin API key; the hub refuses (`setup_complete`) once a user exists. */
  setup(request: SetupRequest, options?: RequestOptions): Promise<SetupResponse> {
    return this.transport.json({ method: 'POST', path: '/setup', body: request, ...options }, SetupResponseSchema);
  }

  /** Whether the hub still needs its first administrator (`setup`); needs no credential. */
  setupStatus(options?: RequestOptions): Promise<SetupStatus> {
    return this.transport.json({ method: 'GET', path: '/setup/status', ...options }, SetupStatusSchema);
  }

  /** Returns a session token; pass it to `client.setApiKey` to make further calls as that user. */
  login(request: LoginRequest, options?: RequestOptions): Promise<LoginResponse> {
    return this.transport.json({ method: 'POST', path: '/auth/login', body: request, ...options }, LoginResponseSchema);
  }

  logout(options?: RequestOptions): Promise<void> {
    return this.transport.empty({ method: 'POST', path: '/auth/logout', ...options });
  }

  /** Who the current credential belongs to (user is null for an API key) and what it may do. */
  me(options?: RequestOptions): Promise<MeResponse> {
    return this.transport.json({ method: 'GET', path: '/auth/me', ...options }, MeResponseSchema);
  }
}
