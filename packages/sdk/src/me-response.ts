import { z } from 'zod';
import { ScopeSchema, UserSchema } from '@sightline/protocol';

// GET /auth/me has no schema in @sightline/protocol yet; this belongs there once the hub settles its shape.
export const MeResponseSchema = z.object({ user: UserSchema.nullable(), scope: ScopeSchema });
export type MeResponse = z.infer<typeof MeResponseSchema>;
