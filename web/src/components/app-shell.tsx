"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import type { ReactNode } from "react";
import { ConnectionIndicator } from "./connection-indicator.tsx";

const links = [
  { href: "/collections", label: "Collections" },
  { href: "/collections/new", label: "New collection" },
  { href: "/workflows", label: "Workflows" },
  { href: "/instances", label: "Instances" },
  { href: "/accounts", label: "Accounts" },
  { href: "/settings", label: "Settings" },
];

function isCurrent(pathname: string, href: string): boolean {
  if (href === "/collections") {
    return (
      pathname === href || (pathname.startsWith("/collections/") && pathname !== "/collections/new")
    );
  }
  return pathname === href || pathname.startsWith(`${href}/`);
}

/** Page frame: skip link, header with navigation and connection state, and the main area. */
export function AppShell({ children }: { children: ReactNode }) {
  const pathname = usePathname();
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <Link href="/collections" className="brand">
          AMC collections
        </Link>
        <nav aria-label="Main">
          <ul>
            {links.map((link) => (
              <li key={link.href}>
                <Link
                  href={link.href}
                  aria-current={isCurrent(pathname, link.href) ? "page" : undefined}
                >
                  {link.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <ConnectionIndicator />
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
