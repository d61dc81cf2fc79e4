import { LoginPage, type LoginPageProps } from './login';
import { ErrorPage } from './error-page';

/** Pages as HTML documents, ready for `c.html`. */
const documentOf = (page: unknown) => `<!doctype html>${String(page)}`;

export const renderLoginPage = (props: LoginPageProps) => documentOf(LoginPage(props));
export const renderErrorPage = (description: string) => documentOf(ErrorPage({ description }));
