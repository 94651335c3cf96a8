export function wantsPage(pathname: string, accept: string | undefined): boolean;
export function badAddressPage(): { body: string; csp: string };
