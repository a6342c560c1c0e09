/**
 * Raised for a missing or unreadable cloud assembly or validation report.
 *
 * The CLI prints only the message of this error and exits 1, so the message
 * must be one line that tells the user what to do.
 */
export class ReportInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReportInputError';
  }
}
