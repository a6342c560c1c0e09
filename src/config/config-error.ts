/** A mistake in the user's configuration: reported as one message, never as a stack trace. */
export class ConfigError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}
