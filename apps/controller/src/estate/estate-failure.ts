import { ConditionFailure } from '@switchboard/condition-queue';
import { ESTATE_EXIT_CODES, EstateErrorCode, EstateResult } from '@switchboard/condition-types';

/** A failed estate condition that keeps a result: OpenFlight's exit code, the power left. */
export class EstateFailure extends ConditionFailure {
  constructor(
    message: string,
    readonly result: EstateResult,
  ) {
    super(message);
    this.name = 'EstateFailure';
  }

  /** The condition's failed outcome, with the result kept. */
  outcome(): { state: 'failed'; error: string; result: EstateResult } {
    return { state: 'failed', error: this.message, result: this.result };
  }

  static coded(code: EstateErrorCode, message: string, result: EstateResult = {}): EstateFailure {
    return new EstateFailure(message, {
      ...result,
      error_code: code,
      exit_code: ESTATE_EXIT_CODES[code],
    });
  }
}
