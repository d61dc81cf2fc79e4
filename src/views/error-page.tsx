import { Page } from './page';
import { RequesterHeader, type Requester } from './requester';

export interface ErrorPageProps {
  /** The OAuth error code, shown as a reference for whoever helps the user. */
  error: string;
  /** The technical description, for developers. */
  description: string;
  /** Who sent the user here, when known. */
  requester?: Requester;
  /** Where the user can go back to, when known (never an unverified redirect URI). */
  backTo?: string;
}

/** What happened, in words a user understands. */
const PLAIN_WORDS: Record<string, string> = {
  invalid_client: 'The application that sent you here is not known to this sign-in service, or has been switched off.',
  invalid_redirect_uri:
    'The application asked to send you back to an address it has not registered, so sign-in stopped here to keep your account safe.',
  invalid_request: 'The sign-in link you followed is incomplete or damaged.',
};

/** Shown when the authorization request cannot be answered by a redirect (RFC 6749 4.1.2.1). */
export function ErrorPage(props: ErrorPageProps) {
  const appName = props.requester?.applicationName;
  return (
    <Page title="Sign-in stopped">
      {props.requester && <RequesterHeader requester={props.requester} />}
      <h1>We can’t sign you in</h1>
      <p role="alert">{PLAIN_WORDS[props.error] ?? 'Something about this sign-in request is not right.'}</p>
      <p>
        {props.backTo ? (
          <a href={props.backTo}>Back to {appName}</a>
        ) : (
          'Go back to the application you came from and try again. If it keeps happening, tell its makers.'
        )}
      </p>
      <p class="reference">
        Reference: <code>{props.error}</code>
      </p>
      <details>
        <summary>Details for developers</summary>
        <p>{props.description}</p>
      </details>
    </Page>
  );
}
