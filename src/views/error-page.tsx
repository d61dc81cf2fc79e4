import { Page } from './page';

/** Shown when the authorization request cannot be answered by a redirect (RFC 6749 4.1.2.1). */
export function ErrorPage(props: { description: string }) {
  return (
    <Page title="Authorization error">
      <h1>This sign-in request cannot be completed</h1>
      <p role="alert">{props.description}</p>
      <p>Return to the application you came from and try again.</p>
    </Page>
  );
}
