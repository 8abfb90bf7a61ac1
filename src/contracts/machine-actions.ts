import { z } from 'zod';

import { Uuid } from './common.js';

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

/** The reference's `browser/{op}` names; each stands for one `browser_*` command. */
export const browserOpNames = [
  'open',
  'navigate',
  'click',
  'type',
  'dom',
  'clickables',
  'state',
  'info',
  'scroll',
  'close',
  'screenshot',
  'wait',
  'list-tabs',
  'open-tab',
  'close-tab',
  'switch-tab',
] as const;

/** The reference's `files/{op}` names; each stands for one file command. */
export const filesOpNames = [
  'read',
  'exists',
  'list',
  'list-directory',
  'download',
  'list-downloads',
  'write',
  'edit',
  'append',
  'delete',
  'delete-directory',
] as const;

export const BrowserOpParams = z.object({
  machine_id: Uuid,
  op: z.enum(browserOpNames),
});

export const FilesOpParams = z.object({
  machine_id: Uuid,
  op: z.enum(filesOpNames),
});

export const BrowserOpRequest = z
  .object({
    /** The op's parameters, as the matching `browser_*` command takes them. */
    parameters: z.record(z.string(), z.unknown()).default({}),
    timeout_ms: z.number().int().min(1000).max(120_000).nullable().optional(),
  })
  .strict();

export const FilesOpRequest = z
  .object({
    /** The op's parameters: `{path}` to read, `{path, content}` to write, and so on. */
    parameters: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

export const TerminalRequest = z
  .object({
    command: z.string().min(1).max(8192),
    timeout_ms: z.number().int().min(1000).max(120_000).default(30_000),
    /** The shell session to run in; `default` when absent. Sessions keep cwd and variables. */
    session_id: z.string().max(128).nullable().optional(),
    /** A directory inside the machine's home to run in. */
    cwd: z.string().max(512).nullable().optional(),
  })
  .strict();
