import type { NextConfig } from "next";

const config: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // `next dev` would otherwise write agent instruction files into this package.
  agentRules: false,
  experimental: {
    agentUpgrade: false,
  },
};

export default config;
