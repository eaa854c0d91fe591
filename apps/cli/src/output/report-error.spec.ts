import { CommanderError } from 'commander';
import { ApiRequestError } from '../api-errors';
import { ConfigError, UsageError } from '../errors';
import { memoryIo } from '../test-support/memory-io';
import { INTERNAL_ERROR_EXIT, reportError } from './report-error';

describe('reportError', () => {
  it.each([
    [new UsageError('which servers?'), 2, 'mctl: which servers?\n'],
    [
      new ConfigError('/etc/mctl.yaml', 3, 'token must be a string'),
      2,
      'mctl: /etc/mctl.yaml:3: token must be a string\n',
    ],
    [
      new ApiRequestError('POST', '/api/v1/conditions', 409, '', {
        statusCode: 409,
        error: 'Conflict',
        message: 'busy',
        conditionId: '5f0c1c52-4c1f-4d43-9f0e-2f4f3c7b9a11',
      }),
      3,
      'mctl: the API refused POST /api/v1/conditions (409 Conflict): busy\n  conflicting ' +
        'condition: 5f0c1c52-4c1f-4d43-9f0e-2f4f3c7b9a11\n',
    ],
  ])('prints %s for an operator and returns its status', (err, code, text) => {
    const io = memoryIo();
    expect(reportError(err, io)).toBe(code);
    expect(io.stderr.text()).toBe(text);
  });

  it('leaves commander its own words: 0 for help and version, 2 for the rest', () => {
    const io = memoryIo();
    expect(reportError(new CommanderError(0, 'commander.helpDisplayed', '(outputHelp)'), io)).toBe(
      0,
    );
    expect(
      reportError(
        new CommanderError(1, 'commander.unknownOption', "error: unknown option '--x'"),
        io,
      ),
    ).toBe(2);
    expect(io.stderr.text()).toBe('');
  });

  it('reports a bug without a stack trace, unless MCTL_DEBUG is set', () => {
    const quiet = memoryIo();
    expect(
      reportError(new TypeError("Cannot read properties of undefined (reading 'id')"), quiet),
    ).toBe(INTERNAL_ERROR_EXIT);
    expect(quiet.stderr.text()).toBe(
      "mctl: internal error: Cannot read properties of undefined (reading 'id')\n",
    );
    const debug = memoryIo({ env: { MCTL_DEBUG: '1' } });
    reportError(new TypeError('boom'), debug);
    expect(debug.stderr.text()).toMatch(/^mctl: internal error: boom\nTypeError: boom\n {4}at /);
  });
});
