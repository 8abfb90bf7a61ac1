import { z } from 'zod';

const coordinate = z.number().int().min(0).max(100_000);

/** Keys a click can hold down; `meta` is the Super/Windows/Command key. */
export const clickModifiers = ['ctrl', 'shift', 'alt', 'meta'] as const;
export type ClickModifier = (typeof clickModifiers)[number];
const point = { x: coordinate, y: coordinate };

/**
 * The agent's action vocabulary: what a model decides and a machine performs, always in
 * screen pixels and key names, never selectors.
 */
export const AgentAction = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('click'),
    ...point,
    button: z.enum(['left', 'right', 'middle']).default('left'),
    /** Held down for the click and released after it, in this order and then reversed. */
    modifiers: z.array(z.enum(clickModifiers)).max(4).optional(),
  }),
  z.object({ type: z.literal('double_click'), ...point }),
  z.object({ type: z.literal('move'), ...point }),
  z.object({
    type: z.literal('drag'),
    from: z.object(point),
    to: z.object(point),
  }),
  z.object({ type: z.literal('type'), text: z.string().max(100_000) }),
  z.object({
    type: z.literal('key'),
    /** A key or a combo such as "Enter" or "ctrl+shift+t". */
    keys: z.string().min(1).max(200),
  }),
  z.object({
    type: z.literal('scroll'),
    ...point,
    /** Pixels; positive scrolls down. */
    delta_y: z.number().int().min(-100_000).max(100_000).default(0),
    /** Pixels; positive scrolls right. */
    delta_x: z.number().int().min(-100_000).max(100_000).default(0),
  }),
  z.object({ type: z.literal('wait'), ms: z.number().int().min(0).max(60_000) }),
  z.object({ type: z.literal('navigate'), url: z.string().url().max(8192) }),
]);
export type AgentAction = z.infer<typeof AgentAction>;
export type AgentActionInput = z.input<typeof AgentAction>;
