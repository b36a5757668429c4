import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { HubContext } from '../hub-context.js';
import { installErrorHandler } from './error-handler.js';
import { consoleFallback } from './console-static.js';
import { tokenOf, SESSION_COOKIE } from './credentials.js';
import { scopeAllows } from '../auth/principal.js';
import { ApiError, unauthorized } from './api-error.js';
import type { RouteAuth } from './define-route.js';
import { registerAuthRoutes } from './routes/auth-routes.js';
import { registerDeviceRoutes } from './routes/device-routes.js';
import { registerCameraRoutes } from './routes/camera-routes.js';
import { registerEventRoutes } from './routes/event-routes.js';
import { registerEventStreamRoute } from './routes/event-stream-route.js';
import { registerMetricsRoute } from './routes/metrics-route.js';
import { registerLiveRoutes, type LiveRouteDeps } from './routes/live-routes.js';
import { registerRecordingRoutes, type RecordingRouteDeps } from './routes/recording-routes.js';
import { DeviceAuthenticator } from '../auth/device-auth.js';
import type { ModelManifest } from '@sightline/protocol';
import type { HubSettingsService } from '../settings/hub-settings.js';
import { registerAnalyticsRoutes } from './routes/analytics-routes.js';
import { registerModelRoutes } from './routes/model-routes.js';
import { registerSettingsRoutes } from './routes/settings-routes.js';
import { registerSetupStatusRoute } from './routes/setup-status-route.js';
import { registerStreamingRoutes, type StreamingRouteDeps } from './routes/streaming-routes.js';
import { registerUserRoutes } from './routes/user-routes.js';

/** A route as registered, with the credential it needs ('read' when the route declares none, as the hook does). */
export interface RegisteredRoute {
  method: string;
  url: string;
  auth: RouteAuth;
}

const routesOf = new WeakMap<FastifyInstance, RegisteredRoute[]>();

/** Every route of an app built by buildApp, plugins' routes included, so tests can check each one needs a credential. */
export function registeredRoutes(app: FastifyInstance): readonly RegisteredRoute[] {
  return routesOf.get(app) ?? [];
}

export interface AppOptions {
  bodyLimitBytes: number;
  version: string;
  live: LiveRouteDeps;
  recordings: RecordingRouteDeps;
  /** Cloud streaming: apps, hosts, sessions. */
  streaming: StreamingRouteDeps;
  /** The console's production build (index.html and assets); undefined answers a page saying how to build it. */
  consoleDir: string | undefined;
  /** Run-time settings (event retention, ICE servers), readable by all and changed by admins. */
  settings: HubSettingsService;
  /** The model catalogue `GET /models` lists. */
  modelCatalogue: readonly ModelManifest[];
}

/** The HTTP API: every route needs a credential (see RouteAuth); the OpenAPI document is built from the zod schemas. */
export async function buildApp(ctx: HubContext, options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: ctx.log as unknown as FastifyBaseLogger,
    bodyLimit: options.bodyLimitBytes,
    trustProxy: false,
  });
  // Validation is done by the zod schemas in each handler so errors have our shape; the JSON schemas are for docs.
  app.setValidatorCompiler(() => () => true);
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  installErrorHandler(app, consoleFallback(options.consoleDir));
  // WHIP and WHEP bodies are SDP offers.
  app.addContentTypeParser('application/sdp', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_request, body, done) => done(null, body));
  const devices = new DeviceAuthenticator(ctx.store);
  const routes: RegisteredRoute[] = [];
  routesOf.set(app, routes);
  app.addHook('onRoute', (route) => {
    const auth = (route.config as { auth?: RouteAuth } | undefined)?.auth ?? 'read';
    for (const method of [route.method].flat()) routes.push({ method, url: route.url, auth });
  });

  app.addHook('onRequest', async (request, reply) => {
    const needed = request.routeOptions.config?.auth ?? 'read';
    if (needed === 'self' || needed === 'public' || request.is404) return;
    if (needed === 'device') {
      // Devices only: an API key, however powerful, does not make a caller a device.
      const device = await devices.authenticate(request.headers.authorization);
      if (!device) throw unauthorized('device credentials required: Authorization: Basic base64(deviceId:password), the MQTT login from enrollment');
      request.device = device;
      return;
    }
    const token = tokenOf(request);
    const principal = await ctx.principals.resolve(token);
    if (!principal) throw unauthorized(token ? 'invalid, expired or revoked credential' : undefined);
    if (!scopeAllows(principal.scope, needed)) {
      throw new ApiError(403, 'forbidden', `this call needs the "${needed}" scope; the key has "${principal.scope}"`);
    }
    request.principal = principal;
    // A token in the URL (docs page, media links) becomes a cookie, so the page's own sub-requests authenticate too.
    const query = request.query as Record<string, unknown> | undefined;
    if (typeof query?.access_token === 'string' && !request.headers.authorization) {
      void reply.header('set-cookie', `${SESSION_COOKIE}=${query.access_token}; Path=/; HttpOnly; SameSite=Lax`);
    }
  });

  app.addHook('onResponse', async (request, reply) => {
    ctx.metrics.apiLatency.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unknown', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  await app.register(swagger, {
    openapi: {
      info: { title: 'Sightline hub API', version: options.version, description: 'Fleet, cameras, events and counts.' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'An API key or session token' },
          deviceBasic: { type: 'http', scheme: 'basic', description: "An edge device's MQTT id and password (from enrollment)" },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  registerAuthRoutes(app, ctx);
  registerDeviceRoutes(app, ctx);
  registerCameraRoutes(app, ctx);
  registerEventRoutes(app, ctx);
  registerEventStreamRoute(app, ctx);
  registerMetricsRoute(app, ctx);
  registerLiveRoutes(app, ctx, options.live);
  await registerRecordingRoutes(app, ctx, options.recordings);
  registerSetupStatusRoute(app, ctx);
  registerAnalyticsRoutes(app, ctx);
  registerModelRoutes(app, ctx, options.modelCatalogue);
  registerSettingsRoutes(app, ctx, options.settings);
  registerStreamingRoutes(app, ctx, options.streaming);
  registerUserRoutes(app, ctx);
  return app;
}
