import type { AgentAction } from '../../contracts/index.js';

const placeholder = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/**
 * The run's variables and secrets. Models see secrets only by name and type them as
 * `{{name}}`; the value is put in just before the action reaches the machine, and taken
 * out of anything written to events.
 */
export class NamedValues {
  constructor(
    readonly variables: Record<string, string>,
    private readonly secrets: Record<string, string>,
  ) {}

  secretNames(): string[] {
    return Object.keys(this.secrets);
  }

  /** The action as the machine must perform it, placeholders filled in. */
  resolve(action: AgentAction): AgentAction {
    if (action.type !== 'type') {
      return action;
    }
    const text = action.text.replace(placeholder, (whole, name: string) => {
      return this.secrets[name] ?? this.variables[name] ?? whole;
    });
    return { ...action, text };
  }

  /** `value` with every secret's text replaced by `[secret:name]`. */
  redact<T>(value: T): T {
    const secrets = Object.entries(this.secrets).filter(([, secret]) => secret.length > 0);
    if (secrets.length === 0) {
      return value;
    }
    let text = JSON.stringify(value);
    for (const [name, secret] of secrets) {
      const encoded = JSON.stringify(secret).slice(1, -1);
      text = text.split(encoded).join(`[secret:${name}]`);
    }
    return JSON.parse(text) as T;
  }
}
