import { Errors } from 'aws-cdk-lib';

/**
 * Reports an error the user can act on — input refused: a definition's or a construct's problems
 * (PlatformValidationError, DefinitionError) or aws-cdk-lib's own validation (a stack past a quota, invalid
 * props) — as its message alone, with the construct's path when there is one, and returns true; the caller
 * exits 1. Anything else is not the user's to fix: returns false, and the caller rethrows it with its stack.
 * Recognized by type (aws-cdk-lib's public guard `Errors.isValidationError`, true for every
 * PlatformValidationError), never by message.
 */
export function reportUserError(e: unknown, write: (text: string) => void): boolean {
  if (!Errors.isValidationError(e)) return false;
  const where = e.constructPath ? `[${e.constructPath}] ` : '';
  write(`${where}${e.message}\n`);
  return true;
}
