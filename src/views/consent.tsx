import { Page } from './page';
import { LOGIN_FIELDS } from './login';
import { RequesterLinks, displayName, type Requester } from './requester';

/** The consent form's decision field: `approve` or `deny`. */
export const CONSENT_FIELD = 'consent';

export interface ConsentPageProps {
  action: string;
  requester: Requester;
  scopes: readonly string[];
  /** Claims asked for by name (the claims parameter) beyond those the scopes release. */
  claims?: readonly string[];
  resource?: string;
  hidden: ReadonlyArray<readonly [string, string]>;
  csrfToken: string;
  message?: string;
}

/** What a scope lets the application do, in words; other scopes are named as they are. */
const SCOPE_WORDS: Record<string, string> = {
  openid: 'know who you are on this service',
  profile: 'see your name and profile',
  email: 'see your email address',
  address: 'see your postal address',
  phone: 'see your phone number',
};

/** Asked once per user and client, for clients nobody vouched for (open registration, metadata documents). */
export function ConsentPage(props: ConsentPageProps) {
  return (
    <Page title="Allow access?">
      <h1>Allow access?</h1>
      {props.message && (
        <p class="alert" role="alert">
          {props.message}
        </p>
      )}
      <p>
        <strong>{displayName(props.requester)}</strong> wants to:
      </p>
      <ul>
        {props.scopes.map((scope) => (
          <li>
            {SCOPE_WORDS[scope] ?? 'use'} <code>{scope}</code>
          </li>
        ))}
        {props.claims?.map((claim) => (
          <li>
            see your <code>{claim}</code>
          </li>
        ))}
        {props.resource && (
          <li>
            act for you at <code>{props.resource}</code>
          </li>
        )}
      </ul>
      <p class="note">This application registered itself: nobody has checked who runs it. Allow it only if you started this sign-in.</p>
      <form method="post" action={props.action}>
        {props.hidden.map(([name, value]) => (
          <input type="hidden" name={name} value={value} />
        ))}
        <input type="hidden" name={LOGIN_FIELDS.csrf} value={props.csrfToken} />
        <div class="actions">
          <button type="submit" name={CONSENT_FIELD} value="approve">
            Allow
          </button>
          <button type="submit" name={CONSENT_FIELD} value="deny" class="secondary">
            Deny
          </button>
        </div>
      </form>
      <RequesterLinks requester={props.requester} />
    </Page>
  );
}
