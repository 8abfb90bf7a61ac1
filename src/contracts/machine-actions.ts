import { z } from 'zod';

/** Every command of the reference's ActionRequest; a machine says which ones it performs. */
export const actionCommands = [
  'screenshot',
  'click',
  'double_click',
  'click_with_modifiers',
  'type',
  'key_press',
  'key_combo',
  'scroll',
  'drag',
  'list_windows',
  'switch_to_window',
  'close_window',
  'minimize_window',
  'maximize_window',
  'restore_window',
  'arrange_windows',
  'move_window',
  'terminal_connect',
  'terminal_execute',
  'terminal_read',
  'terminal_clear',
  'terminal_close',
  'file_read',
  'file_exists',
  'directory_list',
  'file_write',
  'file_edit',
  'file_append',
  'file_delete',
  'directory_delete',
  'file_download',
  'file_list_downloads',
  'browser_open',
  'browser_navigate',
  'browser_click',
  'browser_type',
  'browser_get_dom',
  'browser_get_clickables',
  'browser_state',
  'browser_info',
  'browser_scroll',
  'browser_close',
  'browser_screenshot',
  'browser_wait',
  'browser_list_tabs',
  'browser_open_tab',
  'browser_close_tab',
  'browser_switch_tab',
  'browser_execute',
] as const;
export type ActionCommand = (typeof actionCommands)[number];

export const ActionRequest = z
  .object({
    command: z.enum(actionCommands),
    /** Command-specific parameters, such as `{x, y}` for click. */
    parameters: z.record(z.string(), z.unknown()).default({}),
    timeout_ms: z.number().int().min(1000).max(120_000).nullable().optional(),
  })
  .strict();
export type ActionRequest = z.infer<typeof ActionRequest>;

export const ActionResultResponse = z.object({
  machine_id: z.string(),
  command: z.string(),
  success: z.boolean(),
  result: z.record(z.string(), z.unknown()).nullable(),
  error: z.string().nullable(),
  duration_ms: z.number().int(),
  screenshot: z.string().nullable(),
  request_id: z.string(),
});
export type ActionResultResponse = z.infer<typeof ActionResultResponse>;

export const BatchActionRequest = z
  .object({
    steps: z.array(ActionRequest).min(1).max(50),
    stop_on_error: z.boolean().default(true),
  })
  .strict();

export const BatchActionResponse = z.object({
  machine_id: z.string(),
  results: z.array(ActionResultResponse),
  completed_count: z.number().int(),
  failed_count: z.number().int(),
  aborted: z.boolean(),
  request_id: z.string(),
});

export const ScreenshotQuery = z.object({ format: z.enum(['png', 'jpeg']).default('jpeg') });

export const ScreenshotResponse = z.object({
  machine_id: z.string(),
  image_b64: z.string(),
  mime_type: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  captured_at: z.string(),
  request_id: z.string(),
});
