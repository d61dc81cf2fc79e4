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
  /** What stopped: a sign-in (the default), or a sign-out the application asked for. */
  activity?: Activity;
}

type Activity = 'sign-in' | 'sign-out';

/** What happened, in words a user understands. */
const PLAIN_WORDS: Record<string, (activity: Activity) => string> = {
  invalid_client: () => 'The application that sent you here is not known to this sign-in service, or has been switched off.',
  invalid_redirect_uri: (activity) =>
    `The application asked to send you back to an address it has not registered, so ${activity} stopped here to keep your account safe.`,
  invalid_request: (activity) => `The ${activity} link you followed is incomplete or damaged.`,
  invalid_request_uri: () => 'The sign-in link you followed has expired or was already used. Go back to the application and start again.',
};

/** Shown when an authorization or logout request cannot be answered by a redirect (RFC 6749 4.1.2.1). */
export function ErrorPage(props: ErrorPageProps) {
  const appName = props.requester?.applicationName;
  const activity = props.activity ?? 'sign-in';
  return (
    <Page title={activity === 'sign-in' ? 'Sign-in stopped' : 'Sign-out stopped'}>
      {props.requester && <RequesterHeader requester={props.requester} />}
      <h1>{activity === 'sign-in' ? 'We can’t sign you in' : 'We can’t sign you out here'}</h1>
      <p role="alert">{PLAIN_WORDS[props.error]?.(activity) ?? `Something about this ${activity} request is not right.`}</p>
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
