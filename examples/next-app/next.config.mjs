/** @type {import('next').NextConfig} */
const nextConfig = {
  // better-sqlite3 is a native addon: keep it out of the server bundle.
  serverExternalPackages: ['better-sqlite3'],
  // The pages are the Express example's own components (../express-vite/src): one implementation.
  experimental: { externalDir: true },
};
export default nextConfig;
