import { runningRecord, scriptWasStarted } from './action-records';

const at = (msg: string) => ({ ts: '2025-01-01T00:00:00.000Z', msg });

describe('the redelivery rule for actions', () => {
  it('says what runs where, before it starts', () => {
    expect(runningRecord('usage/metal.sh', 'node01')).toBe('running usage/metal.sh on node01');
    expect(runningRecord('report/default.sh')).toBe(
      'running report/default.sh (once, for no node: the command has no context)',
    );
  });

  it('a script is taken as started once its `running` record exists, whatever came after', () => {
    const before = [
      'queued by alice',
      'picked up by controller ctl-a',
      'waiting for the action running on node01 to finish: command x is not concurrent',
    ];
    expect(scriptWasStarted(before.map(at))).toBe(false);
    expect(
      scriptWasStarted(
        [
          ...before,
          runningRecord('x/default.sh', 'node01'),
          'handed back by controller ctl-a: shutting down',
        ].map(at),
      ),
    ).toBe(true);
  });
});
