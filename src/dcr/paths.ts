/** RFC 7591 registration endpoint; RFC 7592 management lives under it, one URI per client. */
export const REGISTRATION_PATH = '/oauth/v2/oauth-dynamic-client-registration';
