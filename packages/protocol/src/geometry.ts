import { z } from 'zod';

/** A point in normalized frame coordinates: (0,0) is the top-left corner, (1,1) the bottom-right. */
export const NormalizedPointSchema = z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]);
export type NormalizedPoint = z.infer<typeof NormalizedPointSchema>;

/** An axis-aligned box as [x1, y1, x2, y2]. Units depend on where it is used (pixels or normalized). */
export const BoxSchema = z
  .tuple([z.number(), z.number(), z.number(), z.number()])
  .refine(([x1, y1, x2, y2]) => x2 >= x1 && y2 >= y1, { message: 'box must satisfy x2 >= x1 and y2 >= y1' });
export type Box = [number, number, number, number];

export const FrameSizeSchema = z.object({
  width: z.number().int().positive(),
  height: z.number().int().positive(),
});
export type FrameSize = z.infer<typeof FrameSizeSchema>;
