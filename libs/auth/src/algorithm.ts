/** The one signature algorithm tokens are minted with and accepted in. */
export const TOKEN_ALGORITHM = 'HS256';
