import path from "node:path";

/** @type {import('next').NextConfig} */
const nextConfig = {
  turbopack: { root: path.join(import.meta.dirname, "..") },
};

export default nextConfig;
