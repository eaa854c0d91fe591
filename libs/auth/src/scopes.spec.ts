import { Scope, grants, missingScope, parseScopeList } from './scopes';

describe('scopes', () => {
  it.each<[Scope[], Scope, boolean]>([
    [['read'], 'read', true],
    [['read'], 'write', false],
    [['write'], 'write', true],
    // write implies nothing else, not even read
    [['write'], 'read', false],
    [['admin'], 'read', true],
    [['admin'], 'write', true],
    [['admin'], 'admin', true],
    [['read', 'write'], 'admin', false],
    [[], 'read', false],
  ])('%p grants %s: %p', (granted, needed, expected) => {
    expect(grants(new Set(granted), needed)).toBe(expected);
  });

  it('names the first scope missing', () => {
    expect(missingScope(new Set<Scope>(['read']), ['read', 'write'])).toBe('write');
    expect(missingScope(new Set<Scope>(['admin']), ['read', 'write'])).toBeUndefined();
  });

  it.each([
    [['write'], ['write']],
    [['read,write'], ['read', 'write']],
    [
      ['read', 'write,read', 'admin'],
      ['read', 'write', 'admin'],
    ],
    [['read write'], ['read', 'write']],
  ])('parses %p', (values, scopes) => {
    expect(parseScopeList(values)).toEqual(scopes);
  });

  it.each([
    [['root'], 'unknown scope "root"; scopes are read, write, admin'],
    [['read,sudo,root'], 'unknown scopes "sudo", "root"'],
    [[], 'no scope given; scopes are read, write, admin'],
    [[','], 'no scope given'],
  ])('refuses %p', (values, message) => {
    expect(() => parseScopeList(values)).toThrow(message);
  });
});
