import { activeKey, conditionSubject, serverFromToken, serverToken } from './nats-names';

describe('NATS names', () => {
  it.each(['node01', 'rack1-n001', 'node_7'])('keeps plain server name %s as written', (name) => {
    expect(serverToken(name)).toBe(name);
  });

  it.each(['a.b', 'node*', 'n>', 'with space', 'ünïcode', 'x=y', '../etc'])(
    'encodes %p into one reversible safe token',
    (name) => {
      const token = serverToken(name);
      expect(token).toMatch(/^[A-Za-z0-9_=-]+$/);
      expect(serverFromToken(token)).toBe(name);
    },
  );

  it('puts kind and server in the subject', () => {
    expect(conditionSubject('serverControl', 'node01')).toBe(
      'switchboard.conditions.serverControl.node01',
    );
    expect(conditionSubject('action', 'a.b')).toBe('switchboard.conditions.action.a=2eb');
  });

  it('refuses an empty server name', () => {
    expect(() => activeKey('')).toThrow('server name must not be empty');
  });
});
