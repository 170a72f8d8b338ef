import { ApiError } from '../../shared/api';

/**
 * An error as a sentence for the place it happened: "Loading the clip: recording 12's file
 * changed since import." plus a hint of what to do for the codes a person can act on.
 */
export function errorSentence(error: unknown, context?: string): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = error instanceof ApiError ? error.code : undefined;
  const body = message.charAt(0).toUpperCase() + message.slice(1);
  const stop = /[.!?]$/.test(body) ? '' : '.';
  const hint =
    code === 'not_found'
      ? ' It may have been deleted.'
      : code === 'unauthorized'
        ? ' Reload the page to sign in again.'
        : /fetch|network/i.test(message)
          ? ' Check that the Auscult service is running.'
          : '';
  return `${context ? `${context}: ` : ''}${body}${stop}${hint}`;
}
