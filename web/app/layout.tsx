import type { Metadata, Viewport } from "next";
import { connection } from "next/server";
import type { ReactNode } from "react";
import { ApiProvider } from "@/api/provider.tsx";
import { AppShell } from "@/components/app-shell.tsx";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "AMC collections", template: "%s · AMC collections" },
  description: "Backfills of Amazon Marketing Cloud workflows, week by week.",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

const defaultApiUrl = "http://127.0.0.1:4000/graphql";

/**
 * Returns the GraphQL endpoint for the browser. It is read when a page is requested, not when
 * the app is built, so one build can point at any server: API_URL wins over
 * NEXT_PUBLIC_API_URL, which Next.js would otherwise freeze into the build.
 */
function readApiUrl(): string {
  const configured = process.env.API_URL ?? process.env.NEXT_PUBLIC_API_URL;
  return configured && configured !== "" ? configured : defaultApiUrl;
}

export default async function RootLayout({ children }: { children: ReactNode }) {
  await connection();
  return (
    <html lang="en">
      <body>
        <ApiProvider apiUrl={readApiUrl()}>
          <AppShell>{children}</AppShell>
        </ApiProvider>
      </body>
    </html>
  );
}
