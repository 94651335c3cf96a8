export function listenUrl(hostname: string, port: number, path?: string): string;
