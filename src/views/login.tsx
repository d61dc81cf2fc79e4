import { Page } from './page';
import { RequesterHeader, RequesterLinks, displayName, type Requester } from './requester';

/** Field names of the login and consent forms; the end-to-end tests and any custom page rely on them. */
export const LOGIN_FIELDS = { username: 'username', password: 'password', csrf: 'csrf_token' } as const;

export interface LoginPageProps {
  action: string;
  requester: Requester;
  /** The authorization request's parameters, posted back unchanged with the credentials. */
  hidden: ReadonlyArray<readonly [string, string]>;
  csrfToken: string;
  /** Pre-filled: the username tried before, or the request's `login_hint`. */
  username?: string;
  message?: string;
}

export function LoginPage(props: LoginPageProps) {
  return (
    <Page title="Sign in">
      <RequesterHeader requester={props.requester} />
      <h1>Sign in</h1>
      <p>
        to continue to <strong>{displayName(props.requester)}</strong>
      </p>
      {props.message && (
        <p class="alert" role="alert">
          {props.message}
        </p>
      )}
      <form method="post" action={props.action}>
        {props.hidden.map(([name, value]) => (
          <input type="hidden" name={name} value={value} />
        ))}
        <input type="hidden" name={LOGIN_FIELDS.csrf} value={props.csrfToken} />
        <label for="username">Username</label>
        <input
          id="username"
          name={LOGIN_FIELDS.username}
          autocomplete="username"
          autocapitalize="none"
          required
          autofocus={!props.username}
          value={props.username ?? ''}
        />
        <label for="password">Password</label>
        <input
          id="password"
          name={LOGIN_FIELDS.password}
          type="password"
          autocomplete="current-password"
          required
          autofocus={!!props.username}
        />
        <button type="submit">Sign in</button>
      </form>
      <RequesterLinks requester={props.requester} />
    </Page>
  );
}
