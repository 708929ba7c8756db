import type { Metadata } from "next";
import { CollectionsView } from "@/views/collections-view.tsx";

export const metadata: Metadata = { title: "Collections" };

export default function CollectionsPage() {
  return <CollectionsView />;
}
