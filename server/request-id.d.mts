export const REQUEST_ID_HEADER: "x-request-id";
export function requestIdFor(offered: string | string[] | undefined | null, trustedProxyHops: number): string;
