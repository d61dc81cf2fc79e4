import { Page } from './page';
import { LOGIN_FIELDS } from './login';
import { RequesterHeader, displayName, type Requester } from './requester';

export interface LogoutPageProps {
  action: string;
  /** The application that asks, when the request names one. */
  requester?: Requester;
  /** The logout request's parameters, posted back with the confirmation. */
  hidden: ReadonlyArray<readonly [string, string]>;
  csrfToken: string;
  message?: string;
}

/** RP-Initiated Logout 1.0, section 2: the user confirms before the session ends, so no other site can sign them out. */
export function LogoutPage(props: LogoutPageProps) {
  return (
    <Page title="Sign out?">
      {props.requester && <RequesterHeader requester={props.requester} />}
      <h1>Sign out?</h1>
      {props.message && (
        <p class="alert" role="alert">
          {props.message}
        </p>
      )}
      <p>
        {props.requester ? (
          <>
            <strong>{displayName(props.requester)}</strong> asks you to sign out of this sign-in service.
          </>
        ) : (
          'Do you want to sign out of this sign-in service?'
        )}
      </p>
      <p class="note">Every application that uses it in this browser will ask you to sign in again.</p>
      <form method="post" action={props.action}>
        {props.hidden.map(([name, value]) => (
          <input type="hidden" name={name} value={value} />
        ))}
        <input type="hidden" name={LOGIN_FIELDS.csrf} value={props.csrfToken} />
        <button type="submit">Sign out</button>
      </form>
    </Page>
  );
}

/** Where a logout ends when the application named no (registered) place to go back to. */
export function SignedOutPage() {
  return (
    <Page title="Signed out">
      <h1>You are signed out</h1>
      <p>You can close this page, or go back to the application you came from.</p>
    </Page>
  );
}
