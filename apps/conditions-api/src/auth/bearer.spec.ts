import { bearerToken } from './bearer';
import { TokenRefused } from './token-verifier';

describe('bearerToken', () => {
  it.each([
    ['Bearer abc.def.ghi', 'abc.def.ghi'],
    ['bearer abc.def.ghi', 'abc.def.ghi'],
    ['BEARER  abc-_.~+/=', 'abc-_.~+/='],
  ])('takes the token of %p', (header, token) => {
    expect(bearerToken(header)).toBe(token);
  });

  it.each<[string, string | string[] | undefined, string]>([
    ['no header', undefined, 'no bearer token: send "Authorization: Bearer <token>"'],
    ['an empty header', '', 'no bearer token: send "Authorization: Bearer <token>"'],
    [
      'Basic credentials',
      'Basic YWxpY2U6c2VjcmV0',
      'malformed Authorization header: the scheme must be Bearer',
    ],
    ['a bare token', 'abc.def.ghi', 'malformed Authorization header: the scheme must be Bearer'],
    ['Bearer alone', 'Bearer', 'malformed Authorization header: expected "Bearer <token>"'],
    ['two tokens', 'Bearer abc def', 'malformed Authorization header: expected "Bearer <token>"'],
    [
      'a token with a quote',
      'Bearer abc"def',
      'malformed Authorization header: expected "Bearer <token>"',
    ],
    ['two headers', ['Bearer a', 'Bearer b'], 'more than one Authorization header'],
  ])('refuses %s, without repeating the header', (_name, header, reason) => {
    let refused: unknown;
    try {
      bearerToken(header);
    } catch (err) {
      refused = err;
    }
    expect(refused).toBeInstanceOf(TokenRefused);
    expect((refused as TokenRefused).reason).toBe(reason);
  });
});
