/**
 * Transcription job naming rules. The infrastructure filters EventBridge events on {@link jobNamePrefix};
 * the handlers build names with it. Names are 1-200 characters of `[0-9a-zA-Z._-]`.
 */
export const JOB_NAME_MAX = 200;
export const JOB_NAME_PATTERN = /^[0-9a-zA-Z._-]{1,200}$/;

/**
 * Every job of one deployment starts with `<namePrefix>-<environment>-`. Environment names are alphanumeric
 * (no `-`), so the prefixes of two environments never overlap.
 */
export function jobNamePrefix(namePrefix: string, environment: string): string {
  return `${namePrefix}-${environment}-`;
}
