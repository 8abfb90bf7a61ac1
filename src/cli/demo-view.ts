import type { StreamedEvent } from './api-client.js';

/** Turns a run's events into the demo's live lines: step, action, screenshot size, credits. */
export class DemoView {
  private creditsSpent = 0;

  constructor(private readonly write: (line: string) => void) {}

  show(event: StreamedEvent): void {
    const line = this.lineOf(event);
    if (line !== undefined) {
      this.write(line);
    }
  }

  get credits(): number {
    return this.creditsSpent;
  }

  private lineOf({ type, data }: StreamedEvent): string | undefined {
    switch (type) {
      case 'tool_call':
        return `  step ${String(data.step)}  ${describeAction(data.action as ActionData)}`;
      case 'text':
        return `  step ${String(data.step)}  agent: ${String(data.text)}`;
      case 'step':
        return (
          `  step ${String(data.step)}  observed ${describeScreenshot(data.screenshot)}` +
          ` · ${this.creditsSpent} credits so far`
        );
      case 'billing':
        this.creditsSpent += Number(data.credits);
        return undefined;
      case 'tool_result':
        return data.tool === 'verifier' ? `  verifier: ${JSON.stringify(data.verdict)}` : undefined;
      case 'awaiting_human':
        return `\n  The agent asks: ${String(data.reason)}`;
      case 'resumed':
        return `  resumed with the note: ${String(data.note)}\n`;
      case 'status':
        return data.status === 'running' ? '  running…' : undefined;
      default:
        return undefined;
    }
  }
}

type ActionData = Record<string, unknown>;

function describeAction(action: ActionData): string {
  switch (action.type) {
    case 'click':
      return `click at (${String(action.x)}, ${String(action.y)})`;
    case 'type':
      return `type ${JSON.stringify(action.text)}`;
    case 'navigate':
      return `go to ${String(action.url)}`;
    case 'key':
      return `press ${String(action.keys)}`;
    default:
      return JSON.stringify(action);
  }
}

function describeScreenshot(value: unknown): string {
  const shot = value as { width?: number; height?: number; format?: string; bytes?: number };
  const kib = Math.round((shot.bytes ?? 0) / 1024);
  return `screenshot ${shot.width}×${shot.height} ${shot.format} ${kib} KiB`;
}
