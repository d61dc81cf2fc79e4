import { LoginPage, type LoginPageProps } from './login';
import { ConsentPage, type ConsentPageProps } from './consent';
import { ErrorPage, type ErrorPageProps } from './error-page';
import { LogoutPage, SignedOutPage, type LogoutPageProps } from './logout';

/** Pages as HTML documents, ready for `c.html`. */
const documentOf = (page: unknown) => `<!doctype html>${String(page)}`;

export const renderLoginPage = (props: LoginPageProps) => documentOf(LoginPage(props));
export const renderConsentPage = (props: ConsentPageProps) => documentOf(ConsentPage(props));
export const renderErrorPage = (props: ErrorPageProps) => documentOf(ErrorPage(props));
export const renderLogoutPage = (props: LogoutPageProps) => documentOf(LogoutPage(props));
export const renderSignedOutPage = () => documentOf(SignedOutPage());
