import path from "node:path";

// The floor: a plain Next.js app, nothing configured beyond the shared node_modules one folder up.
/** @type {import('next').NextConfig} */
const nextConfig = {
  turbopack: { root: path.join(import.meta.dirname, "..") },
};

export default nextConfig;
