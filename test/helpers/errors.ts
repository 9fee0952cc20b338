/** Catching the typed error a call must end with. */
import { IcmsError } from '../../src/shared/errors.js';

/** The IcmsError `fn` throws; anything else (or no throw) fails the test. */
export function icmsErrorOf(fn: () => unknown): IcmsError {
  try {
    fn();
  } catch (err) {
    if (err instanceof IcmsError) return err;
    throw err;
  }
  throw new Error('expected an IcmsError');
}

/** The IcmsError `p` rejects with; anything else (or a resolve) fails the test. */
export async function rejectionOf(p: Promise<unknown>): Promise<IcmsError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof IcmsError) return err;
    throw err;
  }
  throw new Error('expected a rejection with an IcmsError');
}
