/** Set by the proxy on every page request: the path and query the browser asked for. */
export const REQUEST_PATH_HEADER = "x-sessionboard-path";
