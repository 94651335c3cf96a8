export declare const STRICT_TRANSPORT_SECURITY: string;
export declare function isHttpsUrl(raw: string | undefined): boolean;
