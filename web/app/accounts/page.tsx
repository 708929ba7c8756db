import type { Metadata } from "next";
import { AccountsView } from "@/views/accounts-view.tsx";

export const metadata: Metadata = { title: "Accounts" };

export default function AccountsPage() {
  return <AccountsView />;
}
