import { z } from 'zod';

// The first character is a letter or digit: ids appear in URLs, topics and file names, where "." and ".." mean
// something else.
export const ResourceIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, dot, dash, underscore, starting with a letter or digit');
