/** Who is asking, as every page shows it: the application first, its logo, the instance's own name second. */
export interface Requester {
  /** The application's name: a template's admin-set name, or a client's own (marked unverified when nobody vouched). */
  applicationName: string;
  /** An instance's own name ("Ana's iPhone"), when it differs from the application's. */
  ownName?: string;
  unverified: boolean;
  logoUri?: string;
  policyUri?: string;
  tosUri?: string;
}

/** "Agent Smith (unverified)" for a client nobody vouched for. */
export const displayName = (r: Requester) => (r.unverified ? `${r.applicationName} (unverified)` : r.applicationName);

export function RequesterHeader(props: { requester: Requester }) {
  const r = props.requester;
  return (
    <header class="requester">
      {r.logoUri && <img src={r.logoUri} alt="" width="48" height="48" />}
      <div>
        <p class="application">{displayName(r)}</p>
        {r.ownName && <p class="own-name">{r.ownName}</p>}
      </div>
    </header>
  );
}

export function RequesterLinks(props: { requester: Requester }) {
  const { policyUri, tosUri } = props.requester;
  if (!policyUri && !tosUri) return null;
  return (
    <p class="links">
      {policyUri && <a href={policyUri}>Privacy policy</a>}
      {policyUri && tosUri && ' · '}
      {tosUri && <a href={tosUri}>Terms of service</a>}
    </p>
  );
}
