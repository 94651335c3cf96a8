export type RoutesManifest = { staticRoutes?: { page: string }[]; dynamicRoutes?: { page: string; regex: string }[] };
export function routeNamer(manifest: RoutesManifest, isFileAddress?: (pathname: string) => boolean): (pathname: string) => string | null;
export function routeNamerFor(distDir: string, isFileAddress?: (pathname: string) => boolean): (pathname: string) => string | null;
